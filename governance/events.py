"""The events governance publishes on the bus (``config.events``), one per write.

Imported by ``GovernanceConfig.ready``. People are ``{"id": int, "username": str}``; ``authors``
lists the proposal's authors that way, so a listener can tell them without a query. Subjects are
``{"type": "group", "ref": "<slug>"}`` or ``{"type": "proposal", "ref": "<group>/<number>"}``.
Every governance event is public. The ledger (``governance.ledger``) records most of them, under
the kinds and payloads it has always used; ``comment.created`` and ``vote.cast`` are not recorded.
"""

from config import events

PROPOSAL = ("group", "number", "title")
MOVE = (*PROPOSAL, "authors", "from", "to", "by")

events.declare(
    "group.created",
    "A working group was created (or, for a group an app's migration made, first announced).",
    fields=("group", "name", "parent", "by"),
)
events.declare(
    "group.settings_changed",
    "A chair changed the group's rule for general proposals, its quorum, the live count or when "
    "a vote may close early.",
    fields=("group", "general_rule", "quorum", "show_live_tally", "early_close", "by"),
)
events.declare(
    "membership.granted",
    "A membership was set directly, outside the join and approval flow: a founding chair, the "
    "demo, or an administrator's correction (which adds `by`).",
    fields=("group", "member", "role", "status", "reason"),
)
events.declare(
    "membership.joined",
    "Someone joined an open group as an observer.",
    fields=("group", "member", "role", "status"),
)
events.declare(
    "membership.requested",
    "Someone asked to join a group; a chair approves or declines.",
    fields=("group", "member", "role", "status"),
)
events.declare(
    "membership.approved",
    "A chair approved a join request, as observer or contributor.",
    fields=("group", "member", "role", "by"),
)
events.declare(
    "membership.declined",
    "A chair declined a join request.",
    fields=("group", "member", "by"),
)
events.declare(
    "membership.role_changed",
    "A member's role changed: by a chair (`by`) between observer and contributor, or by an "
    "accepted membership proposal (`by_proposal`, its number).",
    fields=("group", "member", "from", "to"),
)
events.declare(
    "membership.left",
    "A member left the group.",
    fields=("group", "member"),
)
events.declare(
    "proposal.created",
    "A draft proposal was written (revision 1).",
    fields=(
        *PROPOSAL,
        "authors",
        "kind",
        "revision",
        "text_sha256",
        "target",
        "subject",
        "membership_action",
        "by",
    ),
)
events.declare(
    "proposal.revised",
    "An author edited a proposal: a new revision.",
    fields=(*PROPOSAL, "authors", "revision", "text_sha256", "by"),
)
events.declare(
    "proposal.discussion_opened",
    "A draft moved to discussion.",
    fields=MOVE,
)
events.declare(
    "proposal.withdrawn",
    "A draft or a proposal under discussion was withdrawn (by an author or a chair).",
    fields=MOVE,
)
events.declare(
    "vote.opened",
    "A chair opened the vote: the text is frozen at `revision`, the rule fixed, and `roll` (the "
    "usernames of the voters) snapshotted; the vote closes at `closes_at` (UTC, ISO 8601), or "
    "sooner as `early_close` allows (`never`, `all_voted`, `settled`: see governance/rules.py).",
    fields=(*MOVE, "rule", "revision", "text_sha256", "closes_at", "early_close", "roll"),
)
events.declare(
    "vote.cast",
    "A voter cast or changed (`changed`) a vote. `choice` and `reason` are present only when "
    "the group shows ballots while the vote is open (`public_ballot`).",
    fields=(*PROPOSAL, "voter", "changed", "public_ballot"),
)
events.declare(
    "decision.recorded",
    "A vote closed and the rule decided; the decision's consequences apply in its transaction. "
    "`roll` (usernames), `ballots` (voter, choice, reason) and `quorum` are what the rule decided "
    "on: the transparency log keeps them so anyone can re-run the rule.",
    fields=(
        *PROPOSAL,
        "authors",
        "kind",
        "target",
        "outcome",
        "rule",
        "tally",
        "roll_size",
        "revision",
        "text_sha256",
        "explanation",
        "roll",
        "ballots",
        "quorum",
    ),
)
events.declare(
    "comment.created",
    "A member commented on a proposal; `excerpt` is the start of the comment; `parent` is the "
    "comment it replies to (or null).",
    fields=(*PROPOSAL, "authors", "comment", "author", "stance", "excerpt"),
)
events.declare(
    "comment.edited",
    "A comment's author edited it; the earlier text is kept (`revisions` is how many are).",
    fields=(*PROPOSAL, "comment", "author", "stance", "excerpt", "revisions"),
)
events.declare(
    "comment.hidden",
    "A chair hid a comment, with a public reason.",
    fields=(*PROPOSAL, "comment", "author", "reason", "by"),
)
