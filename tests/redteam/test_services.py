import pytest

from config.errors import Conflict, Invalid, NotAllowed, NotFound
from models_registry import gate
from models_registry.models import ModelVersion
from models_registry.redteam import commitment, services
from models_registry.redteam.models import Finding
from tests.models_registry.conftest import register

from .conftest import file

pytestmark = pytest.mark.django_db


def test_campaign_puts_version_in_red_team(campaign):
    campaign.version.refresh_from_db()
    assert campaign.status == "open"
    assert campaign.version.status == ModelVersion.Status.IN_RED_TEAM


def test_only_a_chair_opens_a_campaign(version, member):
    from django.utils import timezone

    with pytest.raises(NotAllowed):
        services.campaign_create(
            actor=member,
            version=version,
            title="x",
            scope="y",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timezone.timedelta(days=1),
        )


def test_filing_commits_and_numbers(campaign, reporter):
    first = file(campaign, reporter)
    second = file(campaign, reporter, severity="low")
    assert (first.number, second.number) == (1, 2)
    assert commitment.verify(first.content, first.salt, first.commitment)
    assert first.content["reproduction"]["manifest_sha256"] == campaign.version.manifest_sha256
    assert [h.action for h in first.history.all()] == ["filed"]


def test_outsider_and_uninvited_cannot_file(campaign, outsider, member):
    for person in (outsider, member):
        with pytest.raises(NotAllowed):
            file(campaign, person)


def test_bad_reproduction_names_the_field(campaign, reporter):
    with pytest.raises(Invalid) as exc:
        file(campaign, reporter, reproduction={"prompt": "", "seed": "x", "bogus": 1})
    assert {"reproduction.prompt", "reproduction.seed", "reproduction.bogus"} <= set(
        exc.value.errors
    )


def test_workflow_history_and_timelines(campaign, reporter, triager):
    from models_registry.redteam import selectors

    finding = file(campaign, reporter)
    services.transition(actor=triager, finding=finding, to="triaged", note="looking")
    services.transition(
        actor=triager, finding=finding, to="triaged", severity="critical", note="worse"
    )
    finding = services.transition(actor=triager, finding=finding, to="confirmed")
    lines = list(finding.history.values_list("seq", "to_status", "to_severity"))
    assert lines == [
        (1, "new", "high"),
        (2, "triaged", "high"),
        (3, "triaged", "critical"),
        (4, "confirmed", "critical"),
    ]
    assert finding.disclose_after is not None
    assert selectors.timelines(campaign)["confirmed"] == 1
    with pytest.raises(Conflict):
        services.transition(actor=triager, finding=finding, to="new")
    with pytest.raises(Invalid):  # a new severity needs a reason
        services.transition(actor=triager, finding=finding, to="confirmed", severity="low")


def test_reporter_and_members_cannot_transition(campaign, reporter, other_participant, member):
    finding = file(campaign, reporter)
    with pytest.raises(NotAllowed):
        services.transition(actor=reporter, finding=finding, to="triaged")
    for person in (other_participant, member):
        with pytest.raises(NotFound):
            services.transition(actor=person, finding=finding, to="triaged")


def test_wont_fix_on_critical_needs_a_decision(campaign, reporter, triager):
    finding = file(campaign, reporter, severity="critical")
    services.transition(actor=triager, finding=finding, to="triaged")
    services.transition(actor=triager, finding=finding, to="confirmed")
    with pytest.raises(NotAllowed):
        services.transition(actor=triager, finding=finding, to="wont_fix", note="by design")
    with pytest.raises(NotAllowed):
        services.transition(
            actor=triager, finding=finding, to="wont_fix", note="x", decision="model-training/99"
        )


def test_gate_blocks_then_fix_release_discloses(
    campaign, reporter, triager, maintainer, dataset_version
):
    finding = file(campaign, reporter)
    minor = file(campaign, reporter, severity="low")
    version = campaign.version
    reasons = gate.verdict(version)["reasons"]
    assert any("#1 (high, new)" in r for r in reasons) and not any("#2" in r for r in reasons)
    assert minor.number == 2
    services.transition(actor=triager, finding=finding, to="triaged")
    services.transition(actor=triager, finding=finding, to="confirmed")
    fix = register(campaign.version.model, maintainer, dataset_version, version="0.1.0-alpha.2")
    # Blocks the fixing version too until it is named as the fix.
    assert any("#1" in r for r in gate.verdict(fix)["reasons"])
    services.transition(actor=triager, finding=finding, to="mitigated", fixed_in=fix.version)
    assert not any("red-team" in r for r in gate.verdict(fix)["reasons"])
    assert any("#1" in r for r in gate.verdict(version)["reasons"])  # the old one lacks the fix
    # Release of the fix (as the decision hook does) discloses it.
    from config import events

    services.on_model_released(
        events.Event("model.released", {}, "x", fix.created_at, objects={"version": fix})
    )
    finding.refresh_from_db()
    assert finding.status == "disclosed" and finding.resolution == "mitigated"


def test_disclosed_once_and_campaign_end(campaign, reporter, triager):
    a = file(campaign, reporter)
    b = file(campaign, reporter, severity="low")
    for f in (a, b):
        services.transition(actor=triager, finding=f, to="triaged")
    services.transition(actor=triager, finding=a, to="confirmed")
    services.transition(actor=triager, finding=b, to="not_applicable", note="out of scope")
    services.transition(actor=triager, finding=a, to="disclosed", note="early")
    with pytest.raises(Conflict):
        services.disclose(a.pk)
    with pytest.raises(Conflict):
        services.transition(actor=triager, finding=a, to="disclosed")
    services.campaign_close(campaign)
    b.refresh_from_db()
    assert b.status == "disclosed"
    assert Finding.objects.filter(status="disclosed").count() == 2
    campaign.version.refresh_from_db()
    assert campaign.version.status == "candidate"


def test_period_end_discloses(campaign, reporter, triager):
    from datetime import timedelta

    a = file(campaign, reporter)
    services.transition(actor=triager, finding=a, to="triaged")
    a = services.transition(actor=triager, finding=a, to="confirmed")
    assert services.tick(a.disclose_after - timedelta(seconds=1))["disclosed"] == 0
    assert services.tick(a.disclose_after + timedelta(seconds=1))["disclosed"] == 1
    a.refresh_from_db()
    assert a.status == "disclosed"


def test_commitment_enters_the_public_ledger(campaign, reporter):
    from governance.models import LedgerEntry

    finding = file(campaign, reporter)
    entry = LedgerEntry.objects.filter(kind="finding.committed").get()
    assert entry.payload["commitment"] == finding.commitment
    assert "title" not in entry.payload


def test_demo_seed_is_idempotent(version, chair):
    import io

    from models_registry.redteam import demo
    from tests.factories import UserFactory

    people = {f"demo-committer{i}": UserFactory(username=f"demo-committer{i}") for i in (1, 2, 3)}
    out = io.StringIO()
    demo.seed(people=people, stdout=out)
    demo.seed(people=people, stdout=out)
    campaign = version.campaigns.get()
    statuses = set(campaign.findings.values_list("status", flat=True))
    assert {"new", "triaged", "confirmed", "disclosed"} <= statuses
    assert "present" in out.getvalue()


def test_demo_seed_skips_without_a_model(db):
    import io

    from models_registry.redteam import demo

    out = io.StringIO()
    demo.seed(people={}, stdout=out)
    assert "skipped" in out.getvalue()


def test_lowering_a_critical_does_not_avoid_the_decision(campaign, reporter, triager):
    finding = file(campaign, reporter, severity="critical")
    services.transition(actor=triager, finding=finding, to="triaged")
    services.transition(actor=triager, finding=finding, to="confirmed", severity="high", note="meh")
    with pytest.raises(NotAllowed):
        services.transition(actor=triager, finding=finding, to="wont_fix", note="by design")


def test_wont_fix_on_critical_with_an_accepted_decision(campaign, reporter, triager, chair):
    from governance.models import Decision, Proposal, ProposalRevision

    group = campaign.version.model.group
    proposal = Proposal.objects.create(
        group=group, number=1, title="Accept the risk", kind="general", status="accepted"
    )
    revision = ProposalRevision.objects.create(
        proposal=proposal, number=1, title="Accept the risk", body="x", author=chair
    )
    Decision.objects.create(
        proposal=proposal,
        outcome="accepted",
        rule="majority_of_all",
        explanation="ok",
        roll_size=1,
        revision=revision,
    )
    finding = file(campaign, reporter, severity="critical")
    services.transition(actor=triager, finding=finding, to="triaged")
    services.transition(actor=triager, finding=finding, to="confirmed")
    done = services.transition(
        actor=triager,
        finding=finding,
        to="wont_fix",
        note="Accepted by the group",
        decision=f"/groups/{group.slug}/proposals/1/decision/",
    )
    assert done.status == "wont_fix" and done.decision_id is not None
    assert not any("red-team" in r for r in gate.verdict(campaign.version)["reasons"])
