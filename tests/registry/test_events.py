"""Every write of the registry publishes its event once, with the declared fields, inside its
transaction; events about private datasets are not public."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config import events
from config.errors import Invalid
from datasets_registry import services
from governance.models import Membership

from .conftest import vote_and_close
from .factories import VALID_METADATA, DatasetFactory, DatasetVersionFactory, jsonl_bytes, sha

pytestmark = pytest.mark.django_db


def only(captured, name):
    """The one event called ``name``, checked against its declaration."""
    found = [e for e in captured if e.name == name]
    assert len(found) == 1, [e.name for e in captured]
    event = found[0]
    assert set(event.payload) == set(events.event_type(name).fields)
    return event


def test_registering_a_dataset(card, user):
    with events.capture() as captured:
        dataset = services.dataset_register(
            actor=user, name="Cats", license="CC-BY-4.0", standard=card, metadata=VALID_METADATA
        )
    event = only(captured, "dataset.created")
    assert event.payload == {
        "dataset": dataset.slug,
        "name": "Cats",
        "owner": user.username,
        "license": "CC-BY-4.0",
        "standard": "omi-dataset-card@1.0.0",
        "visibility": "public",
    }
    assert event.public and event.actor_id == user.pk
    assert event.url == "/datasets/cats/"
    assert event.subject == {"type": "dataset", "ref": "cats"}


def test_a_private_dataset_is_announced_privately(card, user):
    with events.capture() as captured:
        services.dataset_register(
            actor=user,
            name="Secret",
            license="CC0-1.0",
            standard=card,
            metadata=VALID_METADATA,
            visibility="private",
        )
    assert only(captured, "dataset.created").public is False


def test_a_refused_write_publishes_nothing(card, user):
    with events.capture() as captured, pytest.raises(Invalid):
        services.dataset_register(
            actor=user, name="", license="nope", standard=card, metadata=VALID_METADATA
        )
    assert captured == []


def test_updating_a_dataset(card, user):
    dataset = DatasetFactory(owner=user, slug="cats")
    with events.capture() as captured:
        services.dataset_update(dataset=dataset, actor=user, summary="New", visibility="private")
    event = only(captured, "dataset.updated")
    assert event.payload["changed"] == ["summary", "visibility"]
    assert event.payload["visibility"] == "private"
    # Made private: only those who may still see it hear of it.
    assert event.public is False


def test_maintainers_changes(card, user, other_user):
    dataset = DatasetFactory(owner=user, slug="cats")
    with events.capture() as captured:
        services.dataset_maintainer_add(dataset=dataset, actor=user, user=other_user)
        services.dataset_maintainer_add(dataset=dataset, actor=user, user=other_user)  # no-op
    event = only(captured, "dataset.maintainers_changed")
    assert (event.payload["added"], event.payload["removed"]) == (["bob"], [])
    with events.capture() as captured:
        services.dataset_maintainer_remove(dataset=dataset, actor=user, user=other_user)
    event = only(captured, "dataset.maintainers_changed")
    assert (event.payload["added"], event.payload["removed"]) == ([], ["bob"])


def test_a_new_version(card, user):
    dataset = DatasetFactory(owner=user, slug="cats", visibility="private")
    data = jsonl_bytes(4)
    seen_in_transaction = []

    def handler(event):
        seen_in_transaction.append(connection.in_atomic_block)

    events.in_transaction("dataset.version_created")(handler)
    try:
        with events.capture() as captured:
            services.dataset_version_create(
                dataset=dataset,
                actor=user,
                upload=SimpleUploadedFile("c.jsonl", data),
                version="1.0.0",
            )
    finally:
        events.unsubscribe(handler)
    event = only(captured, "dataset.version_created")
    assert event.payload == {
        "dataset": "cats",
        "name": dataset.name,
        "version": "1.0.0",
        "sha256": sha(data),
        "size": len(data),
        "row_count": 4,
        "format": "jsonl",
        "compression": "",
    }
    assert event.public is False
    assert event.url == "/datasets/cats/versions/1.0.0/"
    assert event.objects["version"].pk and event.objects["actor"] == user
    assert seen_in_transaction == [True]


# --- standards ---------------------------------------------------------------------------------


def test_standard_lifecycle(card, chair, committers):
    with events.capture() as captured:
        standard = services.standard_create(
            actor=chair, group=card.standard.group, slug="alt-text", name="Alt text"
        )
    event = only(captured, "standard.created")
    assert event.payload == {
        "standard": "alt-text",
        "name": "Alt text",
        "group": "metadata-standards",
    }
    assert event.group_id == card.standard.group_id
    assert event.subject == {"type": "standard", "ref": "alt-text"}

    with events.capture() as captured:
        draft = services.standard_version_create(
            standard=card.standard, actor=chair, version="1.1.0", based_on=card
        )
    event = only(captured, "standard.version_created")
    assert event.payload["based_on"] == "1.0.0" and event.payload["status"] == "draft"
    assert event.payload["sha256"] == draft.sha256
    assert standard.pk

    with events.capture() as captured:
        services.standard_version_update(version=draft, actor=chair, changelog="Keywords.")
    event = only(captured, "standard.version_updated")
    assert event.payload["changed"] == ["changelog"]
    draft.refresh_from_db()
    assert event.payload["sha256"] == draft.sha256

    with events.capture() as captured:
        proposal = services.standard_version_propose(version=draft, actor=chair)
    event = only(captured, "standard.version_frozen")
    draft.refresh_from_db()
    assert event.payload["sha256"] == draft.sha256
    assert len(event.payload["schema_sha256"]) == len(event.payload["rules_sha256"]) == 64
    assert event.payload["proposal"] == f"{proposal.group.slug}/{proposal.number}"

    with events.capture() as captured:
        decision = vote_and_close(proposal, chair, committers, "yes")
    adopted = only(captured, "standard.adopted")
    deprecated = only(captured, "standard.deprecated")
    assert adopted.payload["version"] == "1.1.0" and adopted.payload["replaces"] == "1.0.0"
    assert adopted.payload["decision"] == decision.pk
    assert deprecated.payload["version"] == "1.0.0"
    assert deprecated.payload["replaced_by"] == "1.1.0"


def test_a_rejected_or_withdrawn_proposal_reopens_the_draft(card, chair, committers):
    from governance import services as gov

    draft = services.standard_version_create(
        standard=card.standard, actor=chair, version="1.1.0", based_on=card
    )
    proposal = services.standard_version_propose(version=draft, actor=chair)
    with events.capture() as captured:
        vote_and_close(proposal, chair, committers, "no")
    assert only(captured, "standard.version_reopened").payload["reason"] == "rejected"

    proposal = services.standard_version_propose(version=draft, actor=chair)
    gov.proposal_withdraw(proposal=proposal, actor=chair)
    with events.capture() as captured:
        services.standard_version_reopen(version=draft, actor=chair)
    assert only(captured, "standard.version_reopened").payload["reason"] == "withdrawn"


@pytest.mark.parametrize("choice, name", [("yes", "dataset.accepted"), ("no", "dataset.excluded")])
def test_corpus_decisions(card, chair, committers, user, choice, name):
    dataset = DatasetFactory(owner=user, slug="cats")
    version = DatasetVersionFactory(dataset=dataset)
    Membership.objects.create(
        user=user, group=card.standard.group, role="contributor", status="active"
    )
    proposal = services.dataset_version_propose_acceptance(version=version, actor=user)
    with events.capture() as captured:
        decision = vote_and_close(proposal, chair, committers, choice, author=user)
    event = only(captured, name)
    assert event.payload == {
        "dataset": "cats",
        "name": dataset.name,
        "version": version.version,
        "sha256": version.sha256,
        "decision": decision.pk,
        "proposal": f"{proposal.group.slug}/{proposal.number}",
    }
    assert event.group_id == proposal.group_id


def test_every_registry_event_is_declared_with_its_fields():
    names = {t.name for t in events.catalogue() if t.app in ("standard", "dataset")}
    assert names == {
        "standard.created",
        "standard.version_created",
        "standard.version_updated",
        "standard.version_frozen",
        "standard.version_reopened",
        "standard.adopted",
        "standard.deprecated",
        "dataset.created",
        "dataset.updated",
        "dataset.maintainers_changed",
        "dataset.version_created",
        "dataset.accepted",
        "dataset.excluded",
    }
