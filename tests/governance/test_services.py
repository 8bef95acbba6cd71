"""The lifecycle and every forbidden action, through the services that every entry point uses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import events
from config.errors import Conflict, Invalid, NotAllowed
from governance import ledger, services
from governance.models import (
    Decision,
    GroupSettings,
    LedgerEntry,
    Membership,
    Vote,
    VoterRollEntry,
    WorkingGroup,
)
from tests.factories import UserFactory

from .factories import draft, in_discussion, in_voting, make_due, member

pytestmark = pytest.mark.django_db


def test_it_runs_the_whole_lifecycle(gov):
    p = draft(gov.group, gov.contributor, title="First")
    assert (p.number, p.status, p.revision) == (1, "draft", 1)
    services.proposal_revise(
        proposal=p, actor=gov.contributor, title="First, revised", summary="S", body="New"
    )
    services.proposal_to_discussion(proposal=p, actor=gov.contributor)
    p = services.proposal_open_voting(
        proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(hours=1)
    )
    assert p.status == "voting"
    assert p.voted_revision.number == 2
    assert p.rule == "majority_of_all"
    roll = set(VoterRollEntry.objects.filter(proposal=p).values_list("user__username", flat=True))
    assert roll == {"chair", "committer1", "committer2", "committer3"}
    for voter in [gov.chair, *gov.committers[:2]]:
        services.vote_cast(proposal=p, voter=voter, choice="yes")
    decision = services.proposal_close(proposal=make_due(p))
    assert decision.outcome == "accepted"
    assert decision.tally == {"yes": 3, "no": 0, "abstain": 0}
    assert decision.roll_size == 4
    assert decision.revision.number == 2
    assert "3 yes" in decision.explanation
    p.refresh_from_db()
    assert p.status == "accepted"
    assert LedgerEntry.objects.get(hash=decision.ledger_hash).kind == "decision.recorded"
    assert ledger.verify().ok


def test_numbers_are_per_group(gov):
    other = WorkingGroup.objects.create(slug="other", name="Other")
    member(other, "contributor", "contributor-other")
    assert draft(gov.group, gov.contributor).number == 1
    assert draft(gov.group, gov.contributor).number == 2
    assert draft(other, Membership.objects.get(group=other).user).number == 1


# --- forbidden actions ---------------------------------------------------------------------------


def test_a_non_member_may_not_propose(gov):
    with pytest.raises(NotAllowed):
        draft(gov.group, gov.outsider)


def test_an_observer_may_not_propose(gov):
    with pytest.raises(NotAllowed):
        draft(gov.group, gov.observer)


def test_a_pending_member_may_not_propose(gov):
    services.membership_request(group=gov.group, user=gov.outsider)
    with pytest.raises(NotAllowed):
        draft(gov.group, gov.outsider)


def test_an_observer_may_not_vote(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    with pytest.raises(NotAllowed, match="voter roll"):
        services.vote_cast(proposal=p, voter=gov.observer, choice="yes")
    with pytest.raises(NotAllowed):
        services.vote_cast(proposal=p, voter=gov.contributor, choice="yes")
    with pytest.raises(NotAllowed):
        services.vote_cast(proposal=p, voter=gov.outsider, choice="yes")
    assert not Vote.objects.exists()


def test_someone_promoted_after_the_vote_opened_is_not_on_the_roll(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    late = member(gov.group, "committer", "late")
    with pytest.raises(NotAllowed):
        services.vote_cast(proposal=p, voter=late, choice="yes")


def test_a_non_chair_may_not_open_a_vote(gov):
    p = in_discussion(gov.group, gov.contributor)
    for actor in [gov.contributor, gov.committers[0], gov.observer, gov.outsider]:
        with pytest.raises(NotAllowed, match="chair"):
            services.proposal_open_voting(
                proposal=p, actor=actor, closes_at=timezone.now() + timedelta(days=1)
            )
    p.refresh_from_db()
    assert p.status == "discussion"


def test_a_chair_of_another_group_may_not_open_a_vote(gov):
    other = WorkingGroup.objects.create(slug="other", name="Other")
    other_chair = member(other, "chair", "other-chair")
    p = in_discussion(gov.group, gov.contributor)
    with pytest.raises(NotAllowed):
        services.proposal_open_voting(
            proposal=p, actor=other_chair, closes_at=timezone.now() + timedelta(days=1)
        )


def test_the_author_may_not_edit_after_voting_opened(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    with pytest.raises(Conflict, match="can no longer change"):
        services.proposal_revise(proposal=p, actor=gov.contributor, title="X", summary="", body="")
    p.refresh_from_db()
    assert p.revision == 1


def test_nobody_edits_another_persons_proposal(gov):
    p = draft(gov.group, gov.contributor)
    for actor in [gov.committers[0], gov.chair, gov.outsider]:
        with pytest.raises(NotAllowed, match="authors"):
            services.proposal_revise(proposal=p, actor=actor, title="Mine", summary="", body="")
        with pytest.raises(NotAllowed):
            services.proposal_to_discussion(proposal=p, actor=actor)
    with pytest.raises(NotAllowed):
        services.proposal_withdraw(proposal=p, actor=gov.committers[0])


def test_a_chair_may_withdraw_but_not_after_voting_opened(gov):
    p = draft(gov.group, gov.contributor)
    services.proposal_withdraw(proposal=p, actor=gov.chair)
    p2 = in_voting(gov.group, gov.contributor, gov.chair)
    with pytest.raises(Conflict):
        services.proposal_withdraw(proposal=p2, actor=gov.contributor)


def test_illegal_transitions_are_refused(gov):
    p = draft(gov.group, gov.contributor)
    with pytest.raises(Conflict, match="under discussion"):
        services.proposal_open_voting(
            proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(days=1)
        )
    with pytest.raises(Conflict):
        services.proposal_transition(proposal=p, actor=gov.chair, to="accepted")
    services.proposal_withdraw(proposal=p, actor=gov.contributor)
    with pytest.raises(Conflict):
        services.proposal_to_discussion(proposal=p, actor=gov.contributor)
    with pytest.raises(Conflict):
        services.proposal_withdraw(proposal=p, actor=gov.contributor)


def test_the_closing_time_must_be_in_the_future_and_within_90_days(gov):
    p = in_discussion(gov.group, gov.contributor)
    for when in [timezone.now() - timedelta(minutes=1), timezone.now() + timedelta(days=91), None]:
        with pytest.raises(Invalid):
            services.proposal_open_voting(proposal=p, actor=gov.chair, closes_at=when)


def test_a_vote_after_the_close_is_refused(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    services.proposal_close(proposal=make_due(p))
    with pytest.raises(Conflict, match="not open"):
        services.vote_cast(proposal=p, voter=gov.committers[0], choice="yes")
    with pytest.raises(Conflict):
        services.vote_cast(proposal=p, voter=gov.chair, choice="no")
    assert Vote.objects.get(voter=gov.chair).choice == "yes"


def test_a_vote_past_the_closing_time_is_refused_even_before_the_task_ran(gov):
    p = make_due(in_voting(gov.group, gov.contributor, gov.chair))
    with pytest.raises(Conflict):
        services.vote_cast(proposal=p, voter=gov.chair, choice="yes")


def test_a_vote_on_a_proposal_not_in_voting_is_refused(gov):
    p = in_discussion(gov.group, gov.contributor)
    with pytest.raises(Conflict):
        services.vote_cast(proposal=p, voter=gov.chair, choice="yes")


def test_anonymous_writes_are_refused(gov):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    p = in_voting(gov.group, gov.contributor, gov.chair)
    with pytest.raises(NotAllowed):
        draft(gov.group, anon)
    with pytest.raises(NotAllowed):
        services.vote_cast(proposal=p, voter=anon, choice="yes")
    with pytest.raises(NotAllowed):
        services.comment_add(proposal=p, author=anon, body="hi")
    with pytest.raises(NotAllowed):
        services.membership_request(group=gov.group, user=anon)


def test_a_vote_changes_until_the_close_and_stays_one(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    _, created = services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    assert created
    _, created = services.vote_cast(proposal=p, voter=gov.chair, choice="no", reason="Changed")
    assert not created
    vote = Vote.objects.get()
    assert (vote.choice, vote.reason, vote.revision.number) == ("no", "Changed", 1)


def test_lazy_consensus_requires_a_reason_for_no(gov):
    services.group_settings_update(
        group=gov.group,
        actor=gov.chair,
        general_rule="lazy_consensus",
        quorum="0.5",
        show_live_tally=True,
    )
    p = in_voting(gov.group, gov.contributor, gov.chair)
    assert p.rule == "lazy_consensus"
    with pytest.raises(Invalid, match="reason"):
        services.vote_cast(proposal=p, voter=gov.chair, choice="no")
    services.vote_cast(proposal=p, voter=gov.chair, choice="no", reason="It breaks the corpus.")
    assert services.proposal_close(proposal=make_due(p)).outcome == "rejected"


def test_group_settings_never_change_charter_kinds_or_open_votes(gov):
    p_open = in_voting(gov.group, gov.contributor, gov.chair)
    services.group_settings_update(
        group=gov.group, actor=gov.chair, general_rule="apache", quorum="0.5", show_live_tally=False
    )
    p_open.refresh_from_db()
    assert p_open.rule == "majority_of_all"
    amendment = in_voting(gov.group, gov.contributor, gov.chair, kind="charter_amendment")
    assert amendment.rule == "two_thirds_of_all"
    with pytest.raises(NotAllowed):
        services.group_settings_update(
            group=gov.group,
            actor=gov.committers[0],
            general_rule="apache",
            quorum="0.5",
            show_live_tally=True,
        )


# --- comments ----------------------------------------------------------------------------------


def test_members_comment_and_a_chair_hides_with_a_reason(gov):
    p = in_discussion(gov.group, gov.contributor)
    c = services.comment_add(proposal=p, author=gov.observer, body="Looks good", stance="for")
    with pytest.raises(NotAllowed):
        services.comment_add(proposal=p, author=gov.outsider, body="Spam")
    with pytest.raises(NotAllowed):
        services.comment_hide(comment=c, actor=gov.committers[0], reason="no")
    with pytest.raises(Invalid):
        services.comment_hide(comment=c, actor=gov.chair, reason=" ")
    c = services.comment_hide(comment=c, actor=gov.chair, reason="Off topic")
    assert c.is_hidden and c.hidden_reason == "Off topic" and c.hidden_by == gov.chair
    with pytest.raises(Invalid):
        services.comment_add(proposal=p, author=gov.observer, body="x", stance="maybe")


# --- memberships -------------------------------------------------------------------------------


def test_joining_by_policy(gov):
    m = services.membership_request(group=gov.group, user=gov.outsider)
    assert (m.status, m.role) == ("pending", "observer")
    with pytest.raises(Conflict):
        services.membership_request(group=gov.group, user=gov.outsider)
    open_group = WorkingGroup.objects.create(slug="open", name="Open", join_policy="open")
    assert services.membership_request(group=open_group, user=gov.outsider).status == "active"
    closed = WorkingGroup.objects.create(slug="inv", name="Inv", join_policy="invitation")
    with pytest.raises(NotAllowed):
        services.membership_request(group=closed, user=gov.outsider)


def test_only_a_chair_approves_and_never_as_committer(gov):
    m = services.membership_request(group=gov.group, user=gov.outsider)
    with pytest.raises(NotAllowed):
        services.membership_approve(membership=m, actor=gov.committers[0], role="contributor")
    with pytest.raises(Invalid):
        services.membership_approve(membership=m, actor=gov.chair, role="committer")
    m = services.membership_approve(membership=m, actor=gov.chair, role="contributor")
    assert (m.status, m.role) == ("active", "contributor")
    with pytest.raises(Conflict):
        services.membership_decline(membership=m, actor=gov.chair)


def test_a_chair_declines(gov):
    m = services.membership_request(group=gov.group, user=gov.outsider)
    with pytest.raises(NotAllowed):
        services.membership_decline(membership=m, actor=gov.observer)
    assert services.membership_decline(membership=m, actor=gov.chair).status == "left"


def test_a_chair_moves_observers_and_contributors_but_not_committers(gov):
    m = Membership.objects.get(user=gov.observer, group=gov.group)
    assert services.membership_set_role(membership=m, actor=gov.chair, role="contributor").role == (
        "contributor"
    )
    with pytest.raises(NotAllowed):
        services.membership_set_role(membership=m, actor=gov.chair, role="committer")
    committer = Membership.objects.get(user=gov.committers[0], group=gov.group)
    with pytest.raises(NotAllowed, match="membership proposal"):
        services.membership_set_role(membership=committer, actor=gov.chair, role="observer")
    with pytest.raises(NotAllowed):
        services.membership_set_role(membership=m, actor=gov.committers[1], role="observer")


def test_an_accepted_membership_proposal_promotes_and_a_rejected_one_does_not(gov):
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
    services.proposal_close(proposal=make_due(p))
    assert Membership.objects.get(user=gov.contributor, group=gov.group).role == "committer"
    assert LedgerEntry.objects.filter(kind="membership.role_changed").exists()

    p2 = in_voting(
        gov.group,
        gov.committers[0],
        gov.chair,
        kind="membership",
        subject=gov.committers[2],
        membership_action="remove",
    )
    services.vote_cast(proposal=p2, voter=gov.chair, choice="yes")
    assert services.proposal_close(proposal=make_due(p2)).outcome == "rejected"
    assert Membership.objects.get(user=gov.committers[2], group=gov.group).role == "committer"


def test_membership_proposals_check_their_subject(gov):
    with pytest.raises(Invalid):
        draft(gov.group, gov.contributor, kind="membership")
    with pytest.raises(Invalid, match="already"):
        draft(
            gov.group,
            gov.contributor,
            kind="membership",
            subject=gov.committers[0],
            membership_action="promote",
        )
    with pytest.raises(Invalid, match="not an active member"):
        draft(
            gov.group,
            gov.contributor,
            kind="membership",
            subject=gov.outsider,
            membership_action="promote",
        )


# --- targets and hooks ---------------------------------------------------------------------------

SHA = "a" * 64


def test_a_target_is_stored_and_checked(gov):
    p = draft(
        gov.group,
        gov.contributor,
        kind="standard_adoption",
        target={"type": "standard_version", "id": 7, "sha256": SHA},
    )
    assert (p.target_type, p.target_id, p.target_sha256) == ("standard_version", 7, SHA)
    with pytest.raises(Invalid):
        draft(gov.group, gov.contributor, kind="standard_adoption")
    with pytest.raises(Invalid):
        draft(
            gov.group,
            gov.contributor,
            kind="standard_adoption",
            target={"type": "dataset_version", "id": 7, "sha256": SHA},
        )
    with pytest.raises(Invalid):
        draft(
            gov.group,
            gov.contributor,
            kind="dataset_acceptance",
            target={"type": "dataset_version", "id": 0, "sha256": "xyz"},
        )


@pytest.fixture
def registered_hooks():
    # Other apps register real handlers; these tests look at governance's side alone.
    from datasets_registry.apps import apply_decision

    added = []

    def register(pattern, handler):
        events.in_transaction(pattern)(handler)
        added.append(handler)
        return handler

    events.unsubscribe(apply_decision)
    yield register
    for handler in added:
        events.unsubscribe(handler)
    events.in_transaction("decision.recorded")(apply_decision)


def test_hooks_run_inside_the_decision_for_both_outcomes(gov, registered_hooks):
    seen = []

    def record(event):
        proposal, decision = event.objects["proposal"], event.objects["decision"]
        if proposal.kind != "dataset_acceptance":
            return
        # Inside the transaction: the decision row exists already.
        assert Decision.objects.filter(pk=decision.pk).exists()
        seen.append((proposal.number, decision.outcome))

    registered_hooks("decision.recorded", record)
    target = {"type": "dataset_version", "id": 3, "sha256": SHA}
    p = in_voting(gov.group, gov.contributor, gov.chair, kind="dataset_acceptance", target=target)
    for voter in [gov.chair, *gov.committers]:
        services.vote_cast(proposal=p, voter=voter, choice="yes")
    services.proposal_close(proposal=make_due(p))
    p2 = in_voting(gov.group, gov.contributor, gov.chair, kind="dataset_acceptance", target=target)
    services.proposal_close(proposal=make_due(p2))
    assert seen == [(p.number, "accepted"), (p2.number, "rejected")]


def test_a_failing_hook_records_no_decision_and_leaves_the_vote_to_retry(gov, registered_hooks):
    def boom(event):
        if event.objects["proposal"].kind == "general":
            raise RuntimeError("registry down")

    registered_hooks("decision.recorded", boom)
    p = make_due(in_voting(gov.group, gov.contributor, gov.chair))
    entries = LedgerEntry.objects.count()
    assert services.close_due_proposals() == []
    p.refresh_from_db()
    assert p.status == "voting"
    assert not Decision.objects.exists()
    assert LedgerEntry.objects.count() == entries
    events.unsubscribe(boom)
    assert len(services.close_due_proposals()) == 1


# --- closing ----------------------------------------------------------------------------------


def test_closing_is_idempotent_and_waits_for_the_time(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    with pytest.raises(Conflict, match="still open"):
        services.proposal_close(proposal=p)
    make_due(p)
    first = services.proposal_close(proposal=p)
    second = services.proposal_close(proposal=p)
    assert first.pk == second.pk
    assert Decision.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="decision.recorded").count() == 1
    assert services.close_due_proposals() == []


def test_close_due_proposals_closes_only_due_votes(gov):
    due = make_due(in_voting(gov.group, gov.contributor, gov.chair, title="Due"))
    later = in_voting(gov.group, gov.contributor, gov.chair, title="Later")
    decisions = services.close_due_proposals()
    assert [d.proposal_id for d in decisions] == [due.pk]
    later.refresh_from_db()
    assert later.status == "voting"


def test_an_empty_roll_rejects(gov):
    group = WorkingGroup.objects.create(slug="empty", name="Empty")
    chair = member(group, "secretary", "sec")
    author = member(group, "contributor", "author2")
    Membership.objects.filter(user=chair).update(role="chair")
    Membership.objects.filter(user=chair).update(status="active")
    p = in_discussion(group, author)
    Membership.objects.filter(user=chair).update(role="secretary")  # nobody votes now
    Membership.objects.filter(user=chair).update(role="chair")
    p = services.proposal_open_voting(
        proposal=p, actor=chair, closes_at=timezone.now() + timedelta(hours=1)
    )
    Vote.objects.all().delete()
    VoterRollEntry.objects.filter(proposal=p).delete()
    decision = services.proposal_close(proposal=make_due(p))
    assert (decision.outcome, decision.roll_size) == ("rejected", 0)


def test_ledger_never_holds_a_hidden_ballot_choice(gov):
    # The transparency log keeps the ballots the group shows (docs/log.md); never hidden ones.
    GroupSettings.objects.update_or_create(group=gov.group, defaults={"show_live_tally": False})
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.vote_cast(proposal=p, voter=gov.chair, choice="no", reason="secret-ish")
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert not any(k.startswith("vote") for k in kinds)
    assert not LedgerEntry.objects.filter(payload__icontains="secret-ish").exists()


def test_group_create_is_for_staff_or_a_parent_chair(gov):
    staff = UserFactory(username="staffer", is_staff=True)
    root = services.group_create(slug="root", name="Root", actor=staff, chair=gov.chair)
    assert services.group_create(slug="child", name="Child", actor=gov.chair, parent=root).parent
    with pytest.raises(NotAllowed):
        services.group_create(slug="x", name="X", actor=gov.committers[0], parent=root)
    with pytest.raises(Conflict):
        services.group_create(slug="root", name="Again", actor=staff)


def test_a_registered_target_checker_can_refuse_a_target(gov):
    def check(event):
        target = event.payload["target"]
        if target and target["type"] == "standard_version" and target["id"] != 7:
            raise Invalid("No such standard version.", errors={"target.id": ["Unknown."]})

    events.in_transaction("proposal.created")(check)
    try:
        target = {"type": "standard_version", "id": 8, "sha256": SHA}
        with pytest.raises(Invalid, match="No such standard version"):
            draft(gov.group, gov.contributor, kind="standard_adoption", target=target)
        target["id"] = 7
        assert draft(gov.group, gov.contributor, kind="standard_adoption", target=target).pk
    finally:
        events.unsubscribe(check)
