"""Each recipient reads a notification, and its e-mail, in their own language (issue 18)."""

from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation
from django.utils.translation import trans_real

from config import events
from config.catalogues import compile_catalogue
from notifications import services
from notifications.models import Notification
from tests.governance.factories import in_voting

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "it" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def italian(tmp_path):
    """A fresh copy of the Italian catalogue, compiled (whatever the checkout's .mo holds)."""
    target = tmp_path / "it" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True)
    target.write_bytes(CATALOGUE.read_bytes())
    compile_catalogue(target)
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        trans_real._translations = {}
        yield
    trans_real._translations = {}


def _speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def test_an_italian_recipient_reads_italian_and_an_english_one_english(gov, live, italian):
    _speaks(gov.committers[0], "it")
    with live():
        p = in_voting(gov.group, gov.contributor, gov.chair)
    told = Notification.objects.filter(kind="vote.opened")
    it = told.get(recipient=gov.committers[0])
    en = told.get(recipient=gov.committers[1])
    assert it.title == f"Serve il tuo voto: #{p.number} A proposal"
    assert "è aperta fino al" in it.body
    assert en.title == f"Your vote is needed: #{p.number} A proposal"
    assert "is open until" in en.body

    by_address = {
        m.to[0]: m for m in mail.outbox if m.extra_headers.get("X-OMI-Kind") == "vote.opened"
    }
    italian_mail = by_address["committer1@example.org"]
    english_mail = by_address["committer2@example.org"]
    assert italian_mail.subject == f"[OMI Commons] Serve il tuo voto: #{p.number} A proposal"
    assert english_mail.subject == f"[OMI Commons] Your vote is needed: #{p.number} A proposal"
    # What was rendered for one person does not leak into the next: the request's language stays.
    assert translation.get_language() in (None, "en", "en-us")


def _fan_out_queries(event) -> int:
    Notification.objects.filter(event_id=event.id).delete()
    with CaptureQueriesContext(connection) as queries:
        services.notifications_fan_out(event=event)
    assert Notification.objects.filter(event_id=event.id).count() == 3
    return len(queries)


def test_the_fan_out_reads_languages_with_the_recipients(gov, eager, italian):
    with events.capture() as seen:
        in_voting(gov.group, gov.contributor, gov.chair)
    event = next(e for e in seen if e.name == "vote.opened")

    one_language = _fan_out_queries(event)
    _speaks(gov.committers[0], "it")
    _speaks(gov.committers[1], "pt-br")
    three_languages = _fan_out_queries(event)

    assert three_languages <= one_language + 1
    titles = dict(
        Notification.objects.filter(event_id=event.id).values_list("recipient__username", "title")
    )
    assert titles["committer1"].startswith("Serve il tuo voto")
    assert titles["committer3"].startswith("Your vote is needed")
