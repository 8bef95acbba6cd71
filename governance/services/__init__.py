"""Every governance write. Views, the API, tasks, admin and commands call these and nothing else.

Each service checks the actor's permission (``governance.roles``) and the current state, runs in
one transaction, ends by publishing its event on the bus (``config.events``; the list is in
``governance/events.py``), and raises a ``config.errors`` domain error with a message a person
can act on. The ledger records the events as an in-transaction listener; no service writes it.
By topic:

- ``groups``: groups, their settings, memberships, and the membership change a decision makes;
- ``proposals``: drafts, revisions, discussion, withdrawal, the API's transition endpoint;
- ``votes``: opening a vote, casting, closing and the decision, the sweep of due votes;
- ``comments``: comments, replies, edits with their history, reactions, moderation;
- ``common``: the proposal lock and the event payload helpers they share.
"""

# The errors services raise, here too so that callers may catch ``services.Conflict``.
from config.errors import Conflict, Invalid, NotAllowed, NotFound

from .comments import (
    comment_add,
    comment_edit,
    comment_hide,
    reaction_add,
    reaction_remove,
)
from .common import settings_of
from .groups import (
    apply_membership_decision,
    group_announce,
    group_create,
    group_settings_update,
    membership_approve,
    membership_correct,
    membership_decline,
    membership_grant,
    membership_leave,
    membership_request,
    membership_set_role,
)
from .proposals import (
    proposal_create,
    proposal_revise,
    proposal_to_discussion,
    proposal_transition,
    proposal_withdraw,
)
from .votes import (
    MAX_VOTING_PERIOD,
    close_due_proposals,
    proposal_close,
    proposal_open_voting,
    vote_cast,
)

__all__ = [
    "MAX_VOTING_PERIOD",
    "Conflict",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "apply_membership_decision",
    "close_due_proposals",
    "comment_add",
    "comment_edit",
    "comment_hide",
    "group_announce",
    "group_create",
    "group_settings_update",
    "membership_approve",
    "membership_correct",
    "membership_decline",
    "membership_grant",
    "membership_leave",
    "membership_request",
    "membership_set_role",
    "proposal_close",
    "proposal_create",
    "proposal_open_voting",
    "proposal_revise",
    "proposal_to_discussion",
    "proposal_transition",
    "proposal_withdraw",
    "reaction_add",
    "reaction_remove",
    "settings_of",
    "vote_cast",
]
