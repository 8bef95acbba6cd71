"""The app's listeners on the bus: after commit, hand the event to Celery and return, so the
request that published it never waits for notifications, e-mail or webhooks.

``handle_event`` runs for the events in the notification table (and the ones that make
automatic follows); ``dispatch_webhooks`` for every public event that an active webhook hears.
A broker that cannot be reached is logged by the bus (``config.events.deliver``); the write
stands.
"""

from __future__ import annotations

import contextvars

from config import events
from config.events import Event

from . import recipients, tasks
from .services import webhooks

FOLLOW_EVENTS = ("proposal.created", "dataset.created", "dataset.maintainers_changed")

# Set by the demo seed (``notifications.demo``): fan out in this process, no webhooks.
INLINE: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_inline", default=False)


@events.subscriber("*")
def on_event(event: Event) -> None:
    wanted = event.name in recipients.RULES or event.name in FOLLOW_EVENTS
    if INLINE.get():
        if wanted:
            tasks.handle_event.apply(args=(event.as_dict(),))
        return
    if wanted:
        tasks.handle_event.delay(event.as_dict())
    if event.public and webhooks.webhooks_hear(event):
        tasks.dispatch_webhooks.delay(event.as_dict())
