"""The events the notifications app publishes (``config.events``); imported by its ``ready``.

``vote.closing_soon`` is published once per vote by a beat task, 24 hours before the close, so
that the voters who have not voted hear it (under a majority of *all* voting members, a voter
who never votes counts as a no). The webhook events are not public: a webhook's URL is a
credential (Discord and Slack put their token in it), so payloads carry only the host.
"""

from config import events

events.declare(
    "vote.closing_soon",
    "A vote closes within 24 hours (published once per vote); `closes_at` is UTC, ISO 8601.",
    fields=("group", "number", "title", "closes_at"),
)

WEBHOOK = ("webhook", "group", "host", "format", "events")

events.declare(
    "webhook.created",
    "A chair (or staff, for the whole site) set up a webhook.",
    fields=(*WEBHOOK, "by"),
    public=False,
)
events.declare(
    "webhook.updated",
    "A webhook's URL, format, events, secret or state changed (`changed` lists which).",
    fields=(*WEBHOOK, "changed", "by"),
    public=False,
)
events.declare(
    "webhook.deleted",
    "A webhook was removed.",
    fields=(*WEBHOOK, "by"),
    public=False,
)
events.declare(
    "webhook.disabled",
    "A webhook was turned off after too many consecutive failed deliveries.",
    fields=(*WEBHOOK, "failures", "last_error"),
    public=False,
)
