"""Website pages. Every write calls a service; pages work without JavaScript. Domain errors reach
the page through ``config.pages`` (one meaning per error class); roles come from
``governance.roles``. By topic: ``groups`` and ``proposals``."""

from .groups import (
    group_activity,
    group_detail,
    group_join,
    group_leave,
    group_list,
    group_settings,
    membership_action,
)
from .proposals import (
    comment_add,
    comment_edit,
    comment_hide,
    comment_react,
    decision_detail,
    proposal_create,
    proposal_detail,
    proposal_edit,
    proposal_history,
    proposal_transition,
    vote,
)

__all__ = [
    "comment_add",
    "comment_edit",
    "comment_hide",
    "comment_react",
    "decision_detail",
    "group_activity",
    "group_detail",
    "group_join",
    "group_leave",
    "group_list",
    "group_settings",
    "membership_action",
    "proposal_create",
    "proposal_detail",
    "proposal_edit",
    "proposal_history",
    "proposal_transition",
    "vote",
]
