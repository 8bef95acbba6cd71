"""Votes and decisions: opening a vote (the frozen text and the voter roll), casting, closing
(the rule decides; the decision's consequences run in its transaction), and the beat task's
sweep of due votes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid, NotAllowed

from .. import ledger, roles, rules, selectors
from ..models import Decision, Membership, Proposal, Vote, VoterRollEntry, rule_in_words
from .common import (
    authors_of,
    lock_proposal,
    move,
    person,
    publish_for_proposal,
    settings_of,
)

logger = logging.getLogger(__name__)

MAX_VOTING_PERIOD = timedelta(days=90)


def proposal_open_voting(*, proposal: Proposal, actor: Any, closes_at: datetime | None) -> Proposal:
    """A chair opens the vote on a proposal under discussion: the text is frozen at the current
    revision, the rule is fixed from the charter (or the group's setting for ``general``), and
    the voter roll is snapshotted from the group's voting members at this moment. Publishes
    ``vote.opened`` with the closing time and the roll."""
    roles.require_chair(actor, proposal.group, _("open a vote"))
    now = timezone.now()
    if closes_at is None:
        raise Invalid(
            _("Give the closing time."),
            errors={"voting_closes_at": [_("Required to open a vote.")]},
        )
    if timezone.is_naive(closes_at):
        closes_at = timezone.make_aware(closes_at)
    if closes_at <= now:
        raise Invalid(
            _("The closing time must be in the future."),
            errors={"voting_closes_at": [_("Must be in the future.")]},
        )
    if closes_at - now > MAX_VOTING_PERIOD:
        raise Invalid(
            _("A vote stays open at most 90 days."),
            errors={"voting_closes_at": [_("At most 90 days from now.")]},
        )
    with transaction.atomic():
        p = lock_proposal(proposal)
        if p.status != Proposal.Status.DISCUSSION:
            raise Conflict(
                _("A vote opens only on a proposal under discussion; this one is %(status)s.")
                % {"status": p.get_status_display().lower()}
            )
        gs = settings_of(p.group)
        p.rule = rules.rule_for(p.kind, gs.general_rule, p.group)
        p.quorum = gs.quorum
        p.early_close = gs.early_close
        p.voted_revision = p.revisions.get(number=p.revision)
        p.voting_opened_at = now
        p.voting_closes_at = closes_at
        voters = list(Membership.objects.voting().filter(group=p.group).select_related("user"))
        VoterRollEntry.objects.bulk_create(
            [VoterRollEntry(proposal=p, user=m.user, role=m.role) for m in voters]
        )
        payload = move(p, Proposal.Status.VOTING, actor)
        p.save(
            update_fields=[
                "status",
                "updated_at",
                "rule",
                "quorum",
                "early_close",
                "voted_revision",
                "voting_opened_at",
                "voting_closes_at",
            ]
        )
        publish_for_proposal(
            "vote.opened",
            p,
            {
                **payload,
                "rule": p.rule,
                "revision": p.revision,
                "text_sha256": p.voted_revision.sha256,
                "closes_at": ledger.timestamp(closes_at),
                "early_close": p.early_close,
                "roll": sorted(m.user.username for m in voters),
            },
            actor=actor,
        )
    return p


def vote_cast(
    *, proposal: Proposal, voter: Any, choice: str, reason: str = ""
) -> tuple[Vote, bool]:
    """Cast or replace ``voter``'s vote; returns ``(vote, created)``. Publishes ``vote.cast``,
    with the choice and reason only where the group shows ballots while the vote is open.

    Holds the proposal's row lock, shared with other votes, so the close queues behind the votes
    in progress and a vote that arrives after the close sees the closed status and is refused;
    one voter's concurrent requests queue on their roll entry's lock and leave exactly one vote
    (the unique constraint is the second guard), the last to take the lock.
    """
    roles.require_user(voter)
    if choice not in Vote.Choice.values:
        raise Invalid(_("Vote yes, no or abstain."), errors={"choice": [_("yes, no or abstain.")]})
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise Invalid(
            _("The reason is too long."), errors={"reason": [_("At most 2000 characters.")]}
        )
    with transaction.atomic():
        # Votes share the proposal's lock (they run side by side; the close waits for them and
        # they for the close); one voter's requests queue on that voter's roll entry.
        p = lock_proposal(proposal, shared=True)
        # of=("self",): lock the roll entry alone, never the proposal row.
        roll_entry = (
            VoterRollEntry.objects.select_for_update(of=("self",))
            .filter(proposal=p, user=voter)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        # Read the clock once this voter's turn has come: the vote stored is the latest one.
        now = timezone.now()
        if p.status != Proposal.Status.VOTING or (p.voting_closes_at and p.voting_closes_at <= now):
            raise Conflict(_("Voting is not open on this proposal."))
        if roll_entry is None:
            raise NotAllowed(_("You are not on the voter roll of this proposal."))
        rule = rules.RULES[p.rule]
        if choice in rule.reason_required_for and not reason:
            raise Invalid(
                _("Under %(label)s, a “%(choice)s” vote needs a reason.")
                % {"label": rule_in_words(p.rule).label.lower(), "choice": choice},
                errors={"reason": [_("Required for this choice under the group's rule.")]},
            )
        vote = Vote.objects.filter(proposal=p, voter=voter).first()
        created = vote is None
        if created:
            vote = Vote.objects.create(
                proposal=p,
                voter=voter,
                choice=choice,
                reason=reason,
                revision_id=p.voted_revision_id,
                cast_at=now,
                updated_at=now,
            )
        else:
            vote.choice, vote.reason, vote.updated_at = choice, reason, now
            vote.save(update_fields=["choice", "reason", "updated_at"])
            vote.voter = voter
        public = not selectors.ballots_hidden(p)
        payload = {"voter": person(voter), "changed": not created, "public_ballot": public}
        if public:
            payload.update(choice=choice, reason=reason)
        publish_for_proposal(
            "vote.cast",
            p,
            payload,
            actor=voter,
            url=p.get_absolute_url() + "#vote",
            objects={"vote": vote},
        )
        if p.early_close != rules.NEVER:
            transaction.on_commit(lambda: close_early_if_settled(proposal=p))
    return vote, created


def _result(p: Proposal, roll_size: int, ballots: list[rules.Ballot], *, early: bool):
    quorum = Fraction(str(p.quorum or Decimal("0.5")))
    if early:
        return rules.early_result(p.rule, roll_size, ballots, policy=p.early_close, quorum=quorum)
    return rules.decide(p.rule, roll_size, ballots, quorum=quorum)


def close_early_if_settled(*, proposal: Proposal, now: datetime | None = None) -> Decision | None:
    """Close an open vote before its deadline when its early-close policy allows it now (see
    ``rules.early_result``); ``None`` when it must wait. Runs after each vote commits; a close
    that fails (a decision handler refused) leaves the vote open for the next vote, the beat's
    sweep, or its deadline."""
    try:
        return proposal_close(proposal=proposal, now=now, early=True)
    except Conflict as exc:
        logger.info("Proposal %s not closed early: %s", proposal.pk, exc.message)
    except Exception:
        logger.exception("Closing proposal %s early failed", proposal.pk)
    return None


def proposal_close(
    *, proposal: Proposal, now: datetime | None = None, early: bool = False
) -> Decision | None:
    """Close a due vote: the rule decides, a Decision is recorded with its tally, and
    ``decision.recorded`` is published in the same transaction. Its in-transaction handlers
    apply the consequences (a membership change; a standard adopted or a dataset accepted by the
    registry's handlers); one that raises rolls the whole close back, so the vote stays open for
    the next run. The ledger, the last handler, records the decision and sets its
    ``ledger_hash``.

    Idempotent: closing an already decided proposal returns its decision; two concurrent closes
    queue on the proposal's row lock and the second finds the first one's decision.

    ``early``: close before the deadline if the proposal's early-close policy allows it now;
    returns ``None`` (and changes nothing) when it does not.
    """
    now = now or timezone.now()
    with transaction.atomic():
        p = lock_proposal(proposal)
        existing = Decision.objects.filter(proposal=p).first()
        if existing is not None:
            return existing
        if p.status != Proposal.Status.VOTING:
            raise Conflict(_("Only a proposal in voting can be closed."))
        due = not (p.voting_closes_at and p.voting_closes_at > now)
        if not due and not early:
            raise Conflict(_("The vote is still open; it closes at its closing time."))
        roll = sorted(
            VoterRollEntry.objects.filter(proposal=p).values_list("user__username", flat=True)
        )
        roll_size = len(roll)
        votes = sorted(
            Vote.objects.filter(proposal=p).select_related("voter"), key=lambda v: v.voter.username
        )
        ballots = [rules.Ballot(v.choice, v.reason) for v in votes]
        result = _result(p, roll_size, ballots, early=not due)
        if result is None:
            return None
        decision = Decision.objects.create(
            proposal=p,
            outcome=result.outcome,
            rule=p.rule,
            tally=result.tally.as_dict(),
            explanation=result.explanation,
            roll_size=roll_size,
            revision_id=p.voted_revision_id,
            decided_at=now,
        )
        p.status = result.outcome
        p.closed_at = p.updated_at = now
        p.save(update_fields=["status", "closed_at", "updated_at"])
        # Handlers run in order: other apps' consequences first, then governance's membership
        # change and the ledger (both ``last``), so a handler that locks its own rows never waits
        # on a writer that holds the ledger lock: the ledger lock is the last this transaction
        # takes.
        publish_for_proposal(
            "decision.recorded",
            p,
            {
                "authors": authors_of(p),
                "kind": p.kind,
                "target": p.target,
                "outcome": decision.outcome,
                "rule": decision.rule,
                "tally": decision.tally,
                "roll_size": roll_size,
                "revision": p.voted_revision.number if p.voted_revision else None,
                "text_sha256": p.voted_revision.sha256 if p.voted_revision else None,
                "explanation": decision.explanation,
                # Everything the rule decided on, so anyone can re-run it from the public log:
                # the roll and every ballot (public once the vote is closed) and the quorum.
                "roll": roll,
                "ballots": [
                    {"voter": v.voter.username, "choice": v.choice, "reason": v.reason}
                    for v in votes
                ],
                "quorum": str(p.quorum or Decimal("0.5")),
            },
            actor=None,
            url=decision.get_absolute_url(),
            objects={"decision": decision},
        )
    return decision


def close_due_proposals(*, now: datetime | None = None) -> list[Decision]:
    """Close every vote whose time is up, and every vote its early-close policy lets close now
    (one whose close right after a vote failed). A proposal whose close fails (e.g. a decision
    handler raised) is left in voting and retried on the next run; the others are still closed."""
    now = now or timezone.now()
    decisions = []
    due = Proposal.objects.due(now).order_by("voting_closes_at").values_list("pk", flat=True)
    early = (
        Proposal.objects.open_for_voting()
        .filter(voting_closes_at__gt=now)
        .exclude(early_close=rules.NEVER)
        .order_by("voting_closes_at")
        .values_list("pk", flat=True)
    )
    for pk in [*due, *early]:
        try:
            decision = proposal_close(proposal=Proposal(pk=pk), now=now, early=True)
            if decision is not None:
                decisions.append(decision)
        except Conflict as exc:
            # Closed or changed meanwhile by someone else, or a handler refused: retried next run.
            logger.warning("Proposal %s not closed: %s", pk, exc.message)
        except Exception:
            logger.exception("Closing proposal %s failed", pk)
    return decisions
