"""Governance on the event bus: every write publishes its event once with its documented fields;
the ledger records them as a listener (and nothing else writes it); a decision's consequences and
the target check are in-transaction handlers."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from config import events
from config.errors import Invalid
from governance import ledger, services
from governance.models import Comment, Decision, LedgerEntry, Membership, Proposal, WorkingGroup
from tests.factories import UserFactory

from .factories import draft, in_discussion, in_voting, make_due

pytestmark = pytest.mark.django_db

SHA = "c" * 64


def person(user) -> dict:
    return {"id": user.pk, "username": user.username}


def only(seen, name):
    """The one event called ``name`` in ``seen``, checked against its declaration."""
    matching = [e for e in seen if e.name == name]
    assert len(matching) == 1, [e.name for e in seen]
    event = matching[0]
    declared = events.event_type(name)
    assert set(declared.fields) <= set(event.payload), name
    assert event.public is True
    json.dumps(event.as_dict())  # plain JSON, for Celery tasks and webhooks
    return event


def assert_about_proposal(event, p):
    assert event.subject == {"type": "proposal", "ref": f"{p.group.slug}/{p.number}"}
    assert event.group_id == p.group_id
    assert event.url.startswith(p.get_absolute_url())
    assert (event.payload["group"], event.payload["number"]) == (p.group.slug, p.number)
    assert event.objects["proposal"].pk == p.pk


def assert_about_group(event, group):
    assert event.subject == {"type": "group", "ref": group.slug}
    assert event.group_id == group.pk
    assert event.url == group.get_absolute_url()


# --- every write publishes its event ------------------------------------------------------------


def test_group_writes_publish_their_events(gov):
    staff = UserFactory(username="staffer", is_staff=True)
    with events.capture() as seen:
        group = services.group_create(slug="new", name="New", actor=staff, chair=gov.chair)
    assert [e.name for e in seen] == ["group.created", "membership.granted"]
    created = only(seen, "group.created")
    assert_about_group(created, group)
    assert created.payload == {"group": "new", "name": "New", "parent": None, "by": person(staff)}
    assert created.actor_id == staff.pk
    granted = only(seen, "membership.granted")
    assert granted.payload == {
        "group": "new",
        "member": person(gov.chair),
        "role": "chair",
        "status": "active",
        "reason": "founding",
    }

    with events.capture() as seen:
        services.group_settings_update(
            group=group, actor=gov.chair, general_rule="apache", quorum="0.6", show_live_tally=False
        )
    changed = only(seen, "group.settings_changed")
    assert_about_group(changed, group)
    assert changed.payload == {
        "group": "new",
        "general_rule": "apache",
        "quorum": "0.6",
        "show_live_tally": False,
        "early_close": "never",
        "by": person(gov.chair),
    }


def test_membership_writes_publish_their_events(gov):
    group = gov.group
    with events.capture() as seen:
        m = services.membership_request(group=group, user=gov.outsider)
    requested = only(seen, "membership.requested")
    assert_about_group(requested, group)
    assert requested.payload["member"] == person(gov.outsider)
    assert requested.actor_id == gov.outsider.pk

    with events.capture() as seen:
        services.membership_approve(membership=m, actor=gov.chair, role="contributor")
    approved = only(seen, "membership.approved")
    assert approved.payload == {
        "group": "wg",
        "member": person(gov.outsider),
        "role": "contributor",
        "by": person(gov.chair),
    }

    with events.capture() as seen:
        services.membership_set_role(membership=m, actor=gov.chair, role="observer")
    changed = only(seen, "membership.role_changed")
    assert changed.payload == {
        "group": "wg",
        "member": person(gov.outsider),
        "from": "contributor",
        "to": "observer",
        "by": person(gov.chair),
    }
    with events.capture() as seen:  # the same role again changes nothing
        services.membership_set_role(membership=m, actor=gov.chair, role="observer")
    assert seen == []

    with events.capture() as seen:
        services.membership_leave(group=group, user=gov.outsider)
    left = only(seen, "membership.left")
    assert left.payload == {"group": "wg", "member": person(gov.outsider)}

    late = UserFactory(username="late")
    m = services.membership_request(group=group, user=late)
    with events.capture() as seen:
        services.membership_decline(membership=m, actor=gov.chair)
    assert only(seen, "membership.declined").payload["by"] == person(gov.chair)

    open_group = WorkingGroup.objects.create(slug="open", name="Open", join_policy="open")
    with events.capture() as seen:
        services.membership_request(group=open_group, user=late)
    assert only(seen, "membership.joined").payload["status"] == "active"


def test_proposal_writes_publish_their_events(gov):
    with events.capture() as seen:
        p = draft(gov.group, gov.contributor, title="Evented")
    created = only(seen, "proposal.created")
    assert_about_proposal(created, p)
    assert created.payload["title"] == "Evented"
    assert created.payload["authors"] == [person(gov.contributor)]
    assert created.payload["kind"] == "general" and created.payload["revision"] == 1
    assert created.actor_id == gov.contributor.pk

    with events.capture() as seen:
        services.proposal_revise(
            proposal=p, actor=gov.contributor, title="Evented", summary="S", body="New"
        )
    revised = only(seen, "proposal.revised")
    assert revised.payload["revision"] == 2
    assert revised.payload["authors"] == [person(gov.contributor)]

    with events.capture() as seen:
        services.proposal_to_discussion(proposal=p, actor=gov.contributor)
    opened = only(seen, "proposal.discussion_opened")
    assert (opened.payload["from"], opened.payload["to"]) == ("draft", "discussion")

    closes = timezone.now() + timedelta(days=3)
    with events.capture() as seen:
        services.proposal_open_voting(proposal=p, actor=gov.chair, closes_at=closes)
    vote_opened = only(seen, "vote.opened")
    assert_about_proposal(vote_opened, p)
    assert vote_opened.payload["closes_at"] == ledger.timestamp(closes)
    assert vote_opened.payload["roll"] == ["chair", "committer1", "committer2", "committer3"]
    assert vote_opened.payload["rule"] == "majority_of_all"
    assert vote_opened.payload["authors"] == [person(gov.contributor)]

    other = draft(gov.group, gov.contributor)
    with events.capture() as seen:
        services.proposal_withdraw(proposal=other, actor=gov.chair)
    withdrawn = only(seen, "proposal.withdrawn")
    assert withdrawn.payload["by"] == person(gov.chair)
    assert withdrawn.payload["to"] == "withdrawn"


@pytest.fixture
def no_registry_consequences():
    """The registry's decision handler would look the made-up dataset version up."""
    from datasets_registry.apps import apply_decision

    events.unsubscribe(apply_decision)
    yield
    events.in_transaction("decision.recorded")(apply_decision)


def test_votes_and_decisions_publish_their_events(gov, no_registry_consequences):
    target = {"type": "dataset_version", "id": 5, "sha256": SHA}
    p = in_voting(gov.group, gov.contributor, gov.chair, kind="dataset_acceptance", target=target)
    with events.capture() as seen:
        services.vote_cast(proposal=p, voter=gov.chair, choice="yes", reason="Good")
    cast = only(seen, "vote.cast")
    assert_about_proposal(cast, p)
    # The group shows ballots while the vote is open (the default), so the ballot comes along.
    assert cast.payload == {
        "group": "wg",
        "number": p.number,
        "title": p.title,
        "voter": person(gov.chair),
        "changed": False,
        "public_ballot": True,
        "choice": "yes",
        "reason": "Good",
    }
    with events.capture() as seen:
        services.vote_cast(proposal=p, voter=gov.chair, choice="abstain")
    assert only(seen, "vote.cast").payload["changed"] is True

    with events.capture() as seen:
        decision = services.proposal_close(proposal=make_due(p))
    recorded = only(seen, "decision.recorded")
    assert_about_proposal(recorded, p)
    assert recorded.url == decision.get_absolute_url()
    assert recorded.objects["decision"] is decision
    assert {k: recorded.payload[k] for k in ("outcome", "rule", "roll_size", "revision")} == {
        "outcome": "rejected",
        "rule": "majority_of_all",
        "roll_size": 4,
        "revision": 1,
    }
    assert recorded.payload["tally"] == {"yes": 0, "no": 0, "abstain": 1}
    assert (recorded.payload["kind"], recorded.payload["target"]) == ("dataset_acceptance", target)
    assert recorded.payload["authors"] == [person(gov.contributor)]
    # Closing again is idempotent and announces nothing.
    with events.capture() as seen:
        services.proposal_close(proposal=p)
    assert seen == []


def test_comments_publish_their_events(gov):
    p = in_discussion(gov.group, gov.contributor)
    body = "A long and careful comment. " * 20
    with events.capture() as seen:
        c = services.comment_add(proposal=p, author=gov.observer, body=body, stance="against")
    created = only(seen, "comment.created")
    assert_about_proposal(created, p)
    assert created.url == f"{p.get_absolute_url()}#comment-{c.pk}"
    assert created.payload["comment"] == c.pk
    assert created.payload["author"] == person(gov.observer)
    assert created.payload["authors"] == [person(gov.contributor)]
    assert created.payload["stance"] == "against"
    excerpt = created.payload["excerpt"]
    assert len(excerpt) <= 200 and excerpt.endswith("…") and body.startswith(excerpt[:-1])

    with events.capture() as seen:
        services.comment_hide(comment=c, actor=gov.chair, reason="Off topic")
    hidden = only(seen, "comment.hidden")
    assert hidden.payload == {
        "group": "wg",
        "number": p.number,
        "title": p.title,
        "comment": c.pk,
        "author": person(gov.observer),
        "reason": "Off topic",
        "by": person(gov.chair),
    }


def test_a_refused_write_publishes_nothing(gov):
    p = in_discussion(gov.group, gov.contributor)
    with events.capture() as seen:
        with pytest.raises(services.NotAllowed):
            services.comment_add(proposal=p, author=gov.outsider, body="Spam")
        with pytest.raises(services.Conflict):
            services.proposal_to_discussion(proposal=p, actor=gov.contributor)
    assert seen == []


# --- the ledger is a listener -------------------------------------------------------------------


def lifecycle(gov):
    """One of every governance write, in the order a group lives them."""
    p = draft(gov.group, gov.contributor, title="Ledgered")
    services.proposal_revise(
        proposal=p, actor=gov.contributor, title="Ledgered", summary="", body="B"
    )
    services.proposal_to_discussion(proposal=p, actor=gov.contributor)
    c = services.comment_add(proposal=p, author=gov.observer, body="Hm")
    services.comment_hide(comment=c, actor=gov.chair, reason="Rude")
    services.proposal_open_voting(
        proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(days=1)
    )
    for voter in [gov.chair, *gov.committers]:
        services.vote_cast(proposal=p, voter=voter, choice="yes")
    decision = services.proposal_close(proposal=make_due(p))
    withdrawn = draft(gov.group, gov.contributor, title="Gone")
    services.proposal_withdraw(proposal=withdrawn, actor=gov.contributor)
    m = services.membership_request(group=gov.group, user=gov.outsider)
    services.membership_approve(membership=m, actor=gov.chair, role="contributor")
    services.group_settings_update(
        group=gov.group, actor=gov.chair, general_rule="apache", quorum="0.5", show_live_tally=True
    )
    return p, decision


def test_the_ledger_records_exactly_todays_kinds_and_payloads(gov):
    first = LedgerEntry.objects.count()
    p, decision = lifecycle(gov)
    everything = list(LedgerEntry.objects.filter(seq__gt=first).order_by("seq"))
    # The transparency log (transparency/) also logs the votes the group shows, under their own
    # event name; governance's own kinds and payloads are unchanged.
    votes = [e.payload for e in everything if e.kind == "vote.cast"]
    assert len(votes) == 1 + len(gov.committers)
    assert all(v["public_ballot"] and v["choice"] == "yes" for v in votes)
    entries = [e for e in everything if e.kind != "vote.cast"]
    kinds = [e.kind for e in entries]
    assert kinds == [
        "proposal.created",
        "proposal.revised",
        "proposal.moved",  # to discussion
        "comment.hidden",  # comment.created is not recorded
        "proposal.moved",  # to voting; vote.cast is not recorded
        "decision.recorded",
        "proposal.created",
        "proposal.moved",  # withdrawn
        "membership.requested",
        "membership.approved",
        "group.settings_changed",
    ]
    by = {e.kind: e.payload for e in entries}
    assert set(by["proposal.created"]) == {
        "group",
        "number",
        "kind",
        "title",
        "revision",
        "text_sha256",
        "target",
        "subject",
        "membership_action",
        "by",
    }
    assert set(by["proposal.revised"]) == {"group", "number", "revision", "text_sha256", "by"}
    assert entries[2].payload == {
        "group": "wg",
        "number": p.number,
        "from": "draft",
        "to": "discussion",
        "by": person(gov.contributor),
    }
    assert set(entries[4].payload) == {
        "group",
        "number",
        "from",
        "to",
        "by",
        "rule",
        "revision",
        "text_sha256",
        "closes_at",
        "early_close",
        "roll",
    }
    assert entries[4].payload["closes_at"].endswith("Z")
    assert set(by["comment.hidden"]) == {"group", "number", "comment", "reason", "by"}
    assert set(by["decision.recorded"]) == {
        "group",
        "number",
        "outcome",
        "rule",
        "tally",
        "roll_size",
        "revision",
        "text_sha256",
        "explanation",
        "target",
        "roll",
        "ballots",
        "quorum",
    }
    assert set(by["membership.requested"]) == {"group", "member", "role", "status"}
    assert set(by["membership.approved"]) == {"group", "member", "role", "by"}
    assert set(by["group.settings_changed"]) == {
        "group",
        "general_rule",
        "quorum",
        "show_live_tally",
        "early_close",
        "by",
    }
    assert all(e.group_id == gov.group.pk for e in entries)
    # The decision knows the entry that records it.
    decision.refresh_from_db()
    assert decision.ledger_hash == by_kind_hash(entries, "decision.recorded")
    assert ledger.verify().ok


def by_kind_hash(entries, kind):
    return next(e.hash for e in entries if e.kind == kind)


def test_membership_grants_are_recorded_as_membership_changed(gov):
    before = LedgerEntry.objects.count()
    newcomer = UserFactory(username="newcomer")
    services.membership_grant(group=gov.group, user=newcomer, role="observer", reason="test")
    entry = LedgerEntry.objects.get(seq=before + 1)
    assert entry.kind == "membership.changed"
    assert entry.payload == {
        "group": "wg",
        "member": person(newcomer),
        "role": "observer",
        "status": "active",
        "reason": "test",
    }


def test_an_admin_correction_is_recorded_with_who_made_it(gov, staff_user, client_for):
    m = Membership.objects.get(user=gov.observer, group=gov.group)
    with events.capture() as seen:
        r = client_for(staff_user).post(
            f"/admin/governance/membership/{m.pk}/change/",
            {
                "user": gov.observer.pk,
                "group": gov.group.pk,
                "role": "contributor",
                "status": "active",
                "since_0": "2026-01-01",
                "since_1": "00:00:00",
            },
        )
    assert r.status_code == 302, r.content.decode()[:2000]
    granted = only(seen, "membership.granted")
    assert granted.actor_id == staff_user.pk
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert (entry.kind, entry.payload) == (
        "membership.changed",
        {
            "group": "wg",
            "member": person(gov.observer),
            "role": "contributor",
            "status": "active",
            "reason": "admin",
            "by": person(staff_user),
        },
    )
    with pytest.raises(services.NotAllowed):
        services.membership_correct(membership=m, actor=gov.chair)


def test_a_group_made_by_a_migration_is_announced_once(gov):
    bare = WorkingGroup.objects.create(slug="bare", name="Bare")
    staff = UserFactory(username="staffer", is_staff=True)
    with events.capture() as seen:
        services.group_announce(group=bare, actor=staff)
    assert_about_group(only(seen, "group.created"), bare)
    entry = LedgerEntry.objects.get(kind="group.created", group=bare)
    assert entry.payload == {"group": "bare", "name": "Bare", "parent": None, "by": person(staff)}
    assert services.settings_of(bare).show_live_tally is True


def test_no_service_writes_the_ledger_itself(gov):
    from transparency import recorder  # the log of every app's public events, a listener too

    events.unsubscribe(ledger.record)
    events.unsubscribe(recorder.record)
    try:
        before = LedgerEntry.objects.count()
        _, decision = lifecycle(gov)
        assert LedgerEntry.objects.count() == before
        decision.refresh_from_db()
        assert decision.ledger_hash == ""
    finally:
        for name in ledger.RECORDED:
            events.in_transaction(name, last=True)(ledger.record)
        events.in_transaction("*", last=True)(recorder.record)
    draft(gov.group, gov.contributor)
    assert LedgerEntry.objects.order_by("-seq").first().kind == "proposal.created"


def test_the_ledger_runs_after_every_other_handler(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    seen = []

    def look(event):
        # Registered after the ledger, yet it runs first: the decision is not recorded yet.
        seen.append(
            (
                LedgerEntry.objects.filter(kind="decision.recorded").exists(),
                event.objects["decision"].ledger_hash,
            )
        )

    events.in_transaction("decision.recorded")(look)
    try:
        decision = services.proposal_close(proposal=make_due(p))
    finally:
        events.unsubscribe(look)
    assert seen == [(False, "")]
    assert decision.ledger_hash


# --- a decision's consequences and the target check are handlers --------------------------------


def test_an_accepted_membership_proposal_is_applied_by_a_handler_before_the_ledger(gov):
    p = in_voting(
        gov.group,
        gov.committers[0],
        gov.chair,
        kind="membership",
        subject=gov.contributor,
        membership_action="promote",
    )
    for voter in [gov.chair, *gov.committers]:
        services.vote_cast(proposal=p, voter=voter, choice="yes")
    before = LedgerEntry.objects.count()
    with events.capture() as seen:
        services.proposal_close(proposal=make_due(p))
    assert [e.name for e in seen] == ["decision.recorded", "membership.role_changed"]
    changed = only(seen, "membership.role_changed")
    assert changed.payload == {
        "group": "wg",
        "member": person(gov.contributor),
        "from": "contributor",
        "to": "committer",
        "by_proposal": p.number,
    }
    assert Membership.objects.get(user=gov.contributor, group=gov.group).role == "committer"
    recorded = list(LedgerEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.kind for e in recorded] == ["membership.role_changed", "decision.recorded"]
    assert "by" not in recorded[0].payload and recorded[0].payload["by_proposal"] == p.number


def test_a_target_check_that_refuses_rolls_the_draft_back(gov):
    calls = []

    def refuse(event):
        calls.append(event.objects["proposal"].pk)
        # Inside the transaction: the draft exists until the refusal rolls it back.
        assert Proposal.objects.filter(pk=event.objects["proposal"].pk).exists()
        raise Invalid("No such dataset version.", errors={"target.id": ["Unknown."]})

    events.in_transaction("proposal.created")(refuse)
    before = LedgerEntry.objects.count()
    try:
        with pytest.raises(Invalid, match="No such dataset version"):
            draft(
                gov.group,
                gov.contributor,
                kind="dataset_acceptance",
                target={"type": "dataset_version", "id": 9, "sha256": SHA},
            )
    finally:
        events.unsubscribe(refuse)
    assert len(calls) == 1
    assert not Proposal.objects.exists() and LedgerEntry.objects.count() == before
    assert draft(gov.group, gov.contributor).number == 1  # the refused number is not lost


def test_the_registry_checks_targets_through_the_bus(gov):
    from datasets_registry.apps import check_proposal_target

    events.in_transaction("proposal.created")(check_proposal_target)
    with pytest.raises(Invalid) as refused:
        draft(
            gov.group,
            gov.contributor,
            kind="standard_adoption",
            target={"type": "standard_version", "id": 987654, "sha256": SHA},
        )
    assert refused.value.errors == {"target.id": ["Unknown standard version."]}
    assert not Proposal.objects.exists()


def test_a_decision_handler_gets_the_rows_without_querying_them(gov, django_assert_num_queries):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    got = {}

    def keep(event):
        with django_assert_num_queries(0):
            got["proposal"] = event.objects["proposal"]
            got["decision"] = event.objects["decision"]
            got["number"] = got["proposal"].number
            got["outcome"] = got["decision"].outcome

    events.in_transaction("decision.recorded")(keep)
    try:
        decision = services.proposal_close(proposal=make_due(p))
    finally:
        events.unsubscribe(keep)
    assert got["decision"] is decision and got["proposal"].pk == p.pk
    assert (got["number"], got["outcome"]) == (p.number, "rejected")
    assert Decision.objects.get().ledger_hash == decision.ledger_hash


def test_comments_stay_out_of_the_ledger(gov):
    p = in_discussion(gov.group, gov.contributor)
    services.comment_add(proposal=p, author=gov.observer, body="Not in the ledger")
    assert Comment.objects.count() == 1
    assert not LedgerEntry.objects.filter(kind__startswith="comment").exists()
