"""The events this app publishes: each write once, with the declared fields, never a secret."""

from datetime import timedelta

from django.utils import timezone

from config import events
from notifications import services
from tests.governance.factories import in_voting


def published(seen, name):
    matching = [e for e in seen if e.name == name]
    assert len(matching) == 1, [e.name for e in seen]
    e = matching[0]
    assert set(events.event_type(name).fields) <= set(e.payload)
    return e


def test_webhook_writes_publish_once_without_the_secret_or_the_url(gov, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    url = "https://discord.example.org/api/webhooks/1/TOKEN-IN-URL"
    with events.capture() as seen:
        hook, secret = services.webhook_create(
            actor=gov.chair, group=gov.group, url=url, events_=["vote.*"]
        )
    e = published(seen, "webhook.created")
    assert not e.public and e.payload["host"] == "discord.example.org"
    assert e.subject == {"type": "group", "ref": "wg"}
    assert secret not in str(e.as_dict()) and "TOKEN-IN-URL" not in str(e.as_dict())
    with events.capture() as seen:
        services.webhook_update(webhook=hook, actor=gov.chair, format="discord", rotate_secret=True)
    assert published(seen, "webhook.updated").payload["changed"] == ["format", "secret"]
    with events.capture() as seen:
        services.webhook_update(webhook=hook, actor=gov.chair, format="discord")
    assert seen == []  # nothing changed, nothing published
    with events.capture() as seen:
        services.webhook_delete(webhook=hook, actor=gov.chair)
    published(seen, "webhook.deleted")


def test_closing_soon_is_published_once_per_vote(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair, closes_in=timedelta(days=3))
    later = timezone.now() + timedelta(days=2, hours=1)
    with events.capture() as seen:
        services.votes_remind_closing(now=later)
        services.votes_remind_closing(now=later)
    e = published(seen, "vote.closing_soon")
    assert e.payload["number"] == p.number and e.payload["closes_at"].endswith("Z")
    assert e.subject == {"type": "proposal", "ref": f"wg/{p.number}"}
    assert e.url == f"/groups/wg/proposals/{p.number}/#vote"


def test_reading_following_and_preferences_publish_nothing(gov):
    with events.capture() as seen:
        services.follow_add(user=gov.outsider, subject_type="group", ref="wg")
        services.follow_remove(user=gov.outsider, subject_type="group", ref="wg")
        services.preferences_update(user=gov.outsider, email="weekly")
        services.notifications_mark_read(user=gov.outsider, everything=True)
    assert seen == []
