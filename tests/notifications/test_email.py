"""E-mail: immediate messages and digests, each notification at most once, with unsubscribe
links that need no log-in."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services, tasks
from notifications.channels import email as channel
from notifications.models import Digest, Notification, Preference
from tests.governance.factories import in_voting


def test_an_immediate_email_per_voter_with_text_html_and_unsubscribe_headers(gov, live):
    with live():
        p = in_voting(gov.group, gov.contributor, gov.chair)
    votes = [m for m in mail.outbox if "Your vote is needed" in m.subject]
    assert sorted(m.to[0] for m in votes) == [
        "committer1@example.org",
        "committer2@example.org",
        "committer3@example.org",
    ]
    message = votes[0]
    assert message.subject == f"[OMI Commons] Your vote is needed: #{p.number} A proposal"
    assert f"/groups/wg/proposals/{p.number}/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "<a href=" in html
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/notifications/unsubscribe/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(kind="vote.opened", email="sent").count() == 3


def test_a_redelivered_email_task_sends_nothing_twice(gov, live):
    with live():
        in_voting(gov.group, gov.contributor, gov.chair)
    event_id = Notification.objects.filter(kind="vote.opened").first().event_id
    before = len(mail.outbox)
    assert tasks.send_immediate_emails(event_id) == 0
    assert len(mail.outbox) == before


def test_a_failing_mail_server_leaves_the_batch_to_retry(gov, eager, monkeypatch):
    from config import events

    with events.capture() as seen:
        in_voting(gov.group, gov.contributor, gov.chair)
    event = next(e for e in seen if e.name == "vote.opened")
    services.notifications_fan_out(event=event)

    def down(self, messages):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    with pytest.raises(ConnectionRefusedError):
        services.emails_send_immediate(event_id=event.id)
    assert Notification.objects.filter(event_id=event.id, email="immediate").count() == 3
    monkeypatch.undo()
    assert services.emails_send_immediate(event_id=event.id) == 3


def test_a_daily_digest_is_one_email_per_person_and_never_repeats(gov, live):
    for c in gov.committers:
        Preference.objects.create(user=c, email="daily")
    with live():
        in_voting(gov.group, gov.contributor, gov.chair, title="First")
        in_voting(gov.group, gov.contributor, gov.chair, title="Second")
    assert not [m for m in mail.outbox if m.to == ["committer1@example.org"]]
    now = timezone.now() + timedelta(minutes=1)
    assert services.digests_send(frequency="daily", now=now) == 3
    digest = [m for m in mail.outbox if m.to == ["committer1@example.org"]]
    assert len(digest) == 1
    assert digest[0].subject == "[OMI Commons] Your daily digest: 2 notifications"
    assert "First" in digest[0].body and "Second" in digest[0].body
    assert "List-Unsubscribe" in digest[0].extra_headers
    # The same period again (a redelivered beat task) sends nothing.
    assert services.digests_send(frequency="daily", now=now) == 0
    # A new notification the next day goes in the next digest, alone.
    with live():
        in_voting(gov.group, gov.contributor, gov.chair, title="Third")
    assert services.digests_send(frequency="daily", now=now + timedelta(days=1)) == 3
    latest = [m for m in mail.outbox if m.to == ["committer1@example.org"]][-1]
    assert "Third" in latest.body and "First" not in latest.body
    assert Digest.objects.filter(user=gov.committers[0]).count() == 2


def test_weekly_digests_wait_for_their_week(gov, live):
    Preference.objects.create(user=gov.committers[0], email="weekly")
    with live():
        in_voting(gov.group, gov.contributor, gov.chair)
    now = timezone.now() + timedelta(minutes=1)
    assert services.digests_send(frequency="daily", now=now) == 0
    assert services.digests_send(frequency="weekly", now=now) == 1
    assert services.digests_send(frequency="weekly", now=now + timedelta(days=1)) == 0


def test_the_beat_task_sends_only_at_the_configured_hour(gov, settings, monkeypatch):
    settings.NOTIFICATIONS_DIGEST_HOUR = (timezone.localtime().hour + 1) % 24
    assert tasks.send_digests() == 0


def test_turning_email_off_drops_what_was_waiting(gov, live):
    Preference.objects.create(user=gov.committers[0], email="daily")
    with live():
        in_voting(gov.group, gov.contributor, gov.chair)
    services.preferences_update(user=gov.committers[0], email="off")
    assert Notification.objects.get(recipient=gov.committers[0]).email == "skipped"
    assert services.digests_send(frequency="daily", now=timezone.now()) == 0


def test_the_unsubscribe_link_works_without_logging_in(gov, client):
    token = channel.unsubscribe_token(gov.committers[0].pk)
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert not Preference.objects.filter(user=gov.committers[0]).exists()  # GET changes nothing
    done = client.post(f"/notifications/unsubscribe/{token}/")
    assert done.status_code == 200 and b"No more e-mail" in done.content
    assert Preference.objects.get(user=gov.committers[0]).email == "off"


def test_the_one_click_post_and_a_per_kind_link(gov, client):
    token = channel.unsubscribe_token(gov.committers[1].pk, "comment.created")
    response = client.post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200 and response.content == b"Unsubscribed."
    prefs = services.preferences_of(gov.committers[1])
    assert prefs["email"] == "immediate"
    assert prefs["kinds"]["comment.created"] == {"web": True, "email": False}


def test_a_forged_unsubscribe_token_is_refused(gov, client):
    token = channel.unsubscribe_token(gov.committers[0].pk)
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert client.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    assert client.get("/notifications/unsubscribe/not-a-token/").status_code == 404


def test_the_file_backend_writes_to_email_file_path(gov, live, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    with live():
        in_voting(gov.group, gov.contributor, gov.chair)
    files = list((tmp_path / "mail").iterdir())
    text = "".join(f.read_text() for f in files)
    assert text.count("Subject: [OMI Commons] Your vote is needed") == 3
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
