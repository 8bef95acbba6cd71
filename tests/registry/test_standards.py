"""Standards: drafts, immutability once proposed, sha256, adoption only through a decision."""

import hashlib
import json

import pytest

from config.canonical import canonical_json
from config.errors import Conflict, Invalid, NotAllowed
from datasets_registry import services
from datasets_registry.models import StandardVersion

from .conftest import vote_and_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(card, chair):
    return services.standard_version_create(
        standard=card.standard,
        actor=chair,
        version="1.1.0",
        based_on=card,
        changelog="Adds keywords as required.",
    )


def test_the_shipped_card_is_adopted_and_its_hash_is_reproducible(card):
    assert card.status == "adopted"
    content = {
        "standard": "omi-dataset-card",
        "version": "1.0.0",
        "schema": card.schema,
        "rules": card.rules,
        "changelog": card.changelog,
    }
    expected = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert card.sha256 == expected == hashlib.sha256(canonical_json(content)).hexdigest()
    assert "Required, and why" in card.changelog
    assert set(card.schema["required"]) >= {"creators", "consent", "personal_information"}


def test_the_card_rules_are_a_valid_rule_set(card):
    from datasets_registry.captions import validate_ruleset

    assert validate_ruleset(card.rules) == {}


def test_api_lists_standards_and_versions(card, api_client):
    body = api_client.get("/api/v1/standards/").json()
    # The dataset card and (since the models registry) the model card, each adopted at 1.0.0.
    by_slug = {s["slug"]: s for s in body["results"]}
    assert by_slug["omi-dataset-card"]["adopted_version"] == "1.0.0"
    assert by_slug["omi-dataset-card"]["kind"] == "dataset"
    detail = api_client.get("/api/v1/standards/omi-dataset-card/").json()
    assert detail["versions"][0] == {
        "version": "1.0.0",
        "status": "adopted",
        "sha256": card.sha256,
        "url": "http://testserver/api/v1/standards/omi-dataset-card/versions/1.0.0/",
    }
    version = api_client.get("/api/v1/standards/omi-dataset-card/versions/1.0.0/").json()
    assert {"version", "status", "schema", "rules", "sha256", "changelog"} <= set(version)
    assert version["schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert api_client.get("/api/v1/standards/nope/").status_code == 404
    assert api_client.get("/api/v1/standards/omi-dataset-card/versions/9/").status_code == 404


def test_the_standards_api_is_read_only(card, staff_user, api_client_for):
    client = api_client_for(staff_user)
    assert client.post("/api/v1/standards/", {}, format="json").status_code == 405
    assert (
        client.patch(
            "/api/v1/standards/omi-dataset-card/versions/1.0.0/", {"status": "draft"}, format="json"
        ).status_code
        == 405
    )


def test_a_chair_creates_and_edits_a_draft(draft, chair):
    assert draft.status == "draft"
    old = draft.sha256
    services.standard_version_update(version=draft, actor=chair, changelog="Changed.")
    draft.refresh_from_db()
    assert draft.changelog == "Changed."
    assert draft.sha256 != old == old


def test_only_chairs_and_staff_edit_standards(card, draft, user, staff_user):
    with pytest.raises(NotAllowed):
        services.standard_version_create(standard=card.standard, actor=user, version="3.0.0")
    with pytest.raises(NotAllowed):
        services.standard_version_update(version=draft, actor=user, changelog="x")
    services.standard_version_update(version=draft, actor=staff_user, changelog="by staff")


def test_an_invalid_json_schema_is_refused_with_a_clear_message(card, chair):
    with pytest.raises(Invalid) as exc:
        services.standard_version_create(
            standard=card.standard,
            actor=chair,
            version="2.0.0",
            schema={"type": "object", "properties": {"a": {"type": "strin"}}},
        )
    assert "Not a valid JSON Schema" in exc.value.errors["schema/properties/a/type"][0]
    with pytest.raises(Invalid) as exc:
        services.standard_version_create(
            standard=card.standard,
            actor=chair,
            version="2.0.0",
            schema={"$schema": "http://json-schema.org/draft-07/schema#"},
        )
    assert "Only JSON Schema 2020-12" in exc.value.errors["schema/$schema"][0]


def test_an_invalid_rule_set_and_version_are_refused(card, chair):
    with pytest.raises(Invalid) as exc:
        services.standard_version_create(
            standard=card.standard,
            actor=chair,
            version="two",
            rules={"rules": {"no_such_rule": {}}},
        )
    assert "version" in exc.value.errors
    assert any(key.startswith("rules") for key in exc.value.errors)


def test_a_duplicate_version_is_a_conflict(card, chair):
    with pytest.raises(Conflict):
        services.standard_version_create(standard=card.standard, actor=chair, version="1.0.0")


def test_adopted_content_is_immutable_even_at_the_model_level(card):
    card.changelog = "rewritten"
    with pytest.raises(ValueError, match="immutable"):
        card.save()


def test_an_adopted_or_proposed_version_cannot_be_edited(card, staff_user):
    with pytest.raises(Conflict, match="immutable"):
        services.standard_version_update(version=card, actor=staff_user, changelog="x")


def test_adoption_needs_a_decision(draft):
    with pytest.raises(NotAllowed, match="accepted governance decision"):
        services.standard_version_adopt(version=draft, decision=None)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_admin_cannot_change_the_status(card, staff_user, client_for):
    response = client_for(staff_user).get(
        f"/admin/datasets_registry/standardversion/{card.pk}/change/"
    )
    assert response.status_code == 200
    assert b'name="status"' not in response.content


# --- the whole loop through governance --------------------------------------------------------


def test_proposing_freezes_the_draft_and_targets_it_by_hash(draft, chair):
    proposal = services.standard_version_propose(version=draft, actor=chair)
    draft.refresh_from_db()
    assert draft.status == "proposed"
    assert draft.proposal_id == proposal.pk
    assert proposal.kind == "standard_adoption"
    assert proposal.target == {"type": "standard_version", "id": draft.pk, "sha256": draft.sha256}
    with pytest.raises(Conflict, match="immutable"):
        services.standard_version_update(version=draft, actor=chair, changelog="sneaky")
    with pytest.raises(Conflict):
        services.standard_version_propose(version=draft, actor=chair)


def test_an_accepted_decision_adopts_and_deprecates_the_previous(card, draft, chair, committers):
    proposal = services.standard_version_propose(version=draft, actor=chair)
    decision = vote_and_close(proposal, chair, committers, "yes")
    assert decision.outcome == "accepted"
    draft.refresh_from_db()
    card.refresh_from_db()
    assert draft.status == "adopted"
    assert draft.decision_id == decision.pk
    assert draft.decision == decision
    assert card.status == "deprecated"
    assert card.standard.adopted_version == draft
    # Datasets may now require 1.1.0 and no longer 1.0.0.
    assert services.resolve_standard_ref("omi-dataset-card@1.1.0") == draft
    with pytest.raises(Invalid):
        services.resolve_standard_ref("omi-dataset-card@1.0.0")


def test_a_rejected_decision_returns_the_version_to_draft(card, draft, chair, committers):
    proposal = services.standard_version_propose(version=draft, actor=chair)
    decision = vote_and_close(proposal, chair, committers, "no")
    assert decision.outcome == "rejected"
    draft.refresh_from_db()
    card.refresh_from_db()
    assert draft.status == "draft"
    assert card.status == "adopted"


def test_tampered_content_is_not_adopted(card, draft, chair, committers):
    proposal = services.standard_version_propose(version=draft, actor=chair)
    # Someone bypasses every guard and rewrites the frozen content in the database.
    StandardVersion.objects.filter(pk=draft.pk).update(changelog="tampered")
    with pytest.raises(Conflict, match="not what the proposal targeted"):
        vote_and_close(proposal, chair, committers, "yes")
    draft.refresh_from_db()
    assert draft.status == "proposed"
    card.refresh_from_db()
    assert card.status == "adopted"


def test_a_decision_on_another_proposal_cannot_adopt(card, draft, chair, committers):
    from governance import services as gov

    other = gov.proposal_create(
        group=card.standard.group,
        author=chair,
        kind="general",
        title="Unrelated",
        summary="s",
        body="b",
    )
    decision = vote_and_close(other, chair, committers, "yes")
    with pytest.raises(NotAllowed):
        services.standard_version_adopt(version=draft, decision=decision)


def test_reopen_after_withdrawal(draft, chair):
    from governance import services as gov

    proposal = services.standard_version_propose(version=draft, actor=chair)
    with pytest.raises(Conflict, match="still open"):
        services.standard_version_reopen(version=draft, actor=chair)
    gov.proposal_withdraw(proposal=proposal, actor=chair)
    services.standard_version_reopen(version=draft, actor=chair)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_dataset_acceptance_sets_the_corpus_status(card, chair, committers, user):
    from governance.models import Membership

    from .factories import DatasetFactory, DatasetVersionFactory

    dataset = DatasetFactory(owner=user)
    version = DatasetVersionFactory(dataset=dataset)
    Membership.objects.create(
        user=user, group=card.standard.group, role="contributor", status="active"
    )
    proposal = services.dataset_version_propose_acceptance(version=version, actor=user)
    assert proposal.target == {
        "type": "dataset_version",
        "id": version.pk,
        "sha256": version.sha256,
    }
    vote_and_close(proposal, chair, committers, "yes", author=user)
    dataset.refresh_from_db()
    assert dataset.corpus_status == "accepted"
    assert dataset.corpus_version == version


def test_governance_refuses_proposals_with_a_bad_target(card, draft, chair):
    from governance import services as gov

    def open_proposal(target):
        return gov.proposal_create(
            group=card.standard.group,
            author=chair,
            kind="standard_adoption",
            title="Adopt",
            summary="s",
            body="b",
            target=target,
        )

    with pytest.raises(Invalid):
        open_proposal({"type": "standard_version", "id": 999999, "sha256": "0" * 64})
    with pytest.raises(Invalid):
        open_proposal({"type": "standard_version", "id": draft.pk, "sha256": "0" * 64})
    # A draft goes through the registry, which freezes it first.
    with pytest.raises(Invalid, match="propose it from its page"):
        open_proposal({"type": "standard_version", "id": draft.pk, "sha256": draft.sha256})
    proposal = services.standard_version_propose(version=draft, actor=chair)
    draft.refresh_from_db()
    assert draft.proposal_id == proposal.pk
    # And a version already attached to a proposal cannot get a second one.
    with pytest.raises(Invalid):
        open_proposal({"type": "standard_version", "id": draft.pk, "sha256": draft.sha256})


def test_a_draft_proposed_through_the_registry_is_frozen_and_adoptable(
    card, draft, chair, committers
):
    proposal = services.standard_version_propose(version=draft, actor=chair)
    with pytest.raises(Conflict):
        services.standard_version_update(version=draft, actor=chair, changelog="moving target")
    vote_and_close(proposal, chair, committers, "yes")
    draft.refresh_from_db()
    assert draft.status == "adopted"


def test_the_example_card_shipped_beside_the_standard_conforms_to_it(card):
    from datasets_registry.standards import example_card

    example = example_card()
    assert services.metadata_errors(card.schema, example) == {}
    assert example_card() == example and example_card() is not example  # a fresh copy each time
