"""Every write of the notifications app. Views, the API, tasks, admin and commands call these.

By topic:

- ``fanout``: an event becomes notifications (bulk, once per event and person) and automatic
  follows;
- ``inbox``: marking read;
- ``preferences``: e-mail frequency, per-kind switches, unsubscribing;
- ``follows``: following and unfollowing a subject;
- ``mail``: immediate e-mails and digests (each notification e-mailed at most once);
- ``webhooks``: setting webhooks up, turning events into deliveries, one delivery attempt;
- ``reminders``: ``vote.closing_soon``, once per vote.

Following, reading and preferences publish no event: they are a person's own business, and an
event would tell every listener (webhooks, the public log) who follows or reads what.
"""

from config.errors import Conflict, Invalid, NotAllowed, NotFound

from .fanout import auto_follow, notifications_fan_out
from .follows import follow_add, follow_remove
from .inbox import notifications_mark_read
from .mail import digests_send, emails_send_immediate
from .preferences import email_unsubscribe, preferences_of, preferences_update
from .reminders import votes_remind_closing
from .webhooks import (
    delivery_attempt,
    public_event_names,
    require_manager,
    webhook_create,
    webhook_delete,
    webhook_deliveries_for_event,
    webhook_send_test,
    webhook_update,
)

__all__ = [
    "Conflict",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "auto_follow",
    "delivery_attempt",
    "digests_send",
    "email_unsubscribe",
    "emails_send_immediate",
    "follow_add",
    "follow_remove",
    "notifications_fan_out",
    "notifications_mark_read",
    "preferences_of",
    "preferences_update",
    "public_event_names",
    "require_manager",
    "votes_remind_closing",
    "webhook_create",
    "webhook_delete",
    "webhook_deliveries_for_event",
    "webhook_send_test",
    "webhook_update",
]
