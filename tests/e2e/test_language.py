"""The language in a real browser (issue 18): switch it on a page; the page and the next e-mail
are in that language; log out and back in (in a browser that has forgotten the switch), and the
saved preference holds."""

import re

import pytest
from django.core import mail
from django.utils import translation

from governance.models import Membership
from notifications import kinds
from notifications.models import Notification
from tests.factories import PASSWORD, UserFactory
from tests.governance.factories import WorkingGroupFactory, in_voting, member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager():
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def no_target_checkers():
    from config import events
    from datasets_registry.apps import check_proposal_target

    events.unsubscribe(check_proposal_target)
    yield
    events.in_transaction("proposal.created")(check_proposal_target)


def italian(text: str) -> str:
    with translation.override("it"):
        return translation.gettext(text)


def log_in(page, username: str):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r".*/$"))


def test_switch_language_then_the_page_the_email_and_the_next_log_in_follow(
    browser_page, eager, no_target_checkers
):
    group = WorkingGroupFactory(slug="wg", name="Test Group")
    chair = member(group, Membership.Role.CHAIR, "chair")
    author = member(group, Membership.Role.CONTRIBUTOR, "author")
    voter = member(group, Membership.Role.COMMITTER, "voter")
    english_voter = member(group, Membership.Role.COMMITTER, "other")
    page = browser_page

    log_in(page, "voter")
    page.goto("/groups/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#language-select").select_option("it")
    page.locator(".language-switcher button").click()
    page.wait_for_function("document.documentElement.lang === 'it'")
    assert page.url.endswith("/groups/")
    assert page.get_by_role("heading", level=1).inner_text() == italian("Working groups")
    voter.refresh_from_db()
    assert voter.language == "it"

    # The next e-mail to this person is in Italian; an English speaker's stays English.
    mail.outbox.clear()
    proposal = in_voting(group, author, chair, title="Adopt the caption standard")
    mine = Notification.objects.get(recipient=voter, kind="vote.opened")
    event_payload = {"number": proposal.number, "title": proposal.title}
    with translation.override("it"):
        expected = kinds.WORDING["vote.opened"](event_payload, group.name)[0]
    with translation.override("en"):
        english = kinds.WORDING["vote.opened"](event_payload, group.name)[0]
    assert expected != english
    assert mine.title == expected
    to_voter = [m for m in mail.outbox if m.to == [voter.email]]
    assert len(to_voter) == 1
    assert expected in to_voter[0].subject
    link = next(line for line in to_voter[0].body.splitlines() if "/proposals/" in line)
    assert link == italian("Open it: %(url)s") % {"url": link.split()[-1]}
    # (The chair opened the vote, so is not told of it: another committer, who reads English.)
    to_other = [m for m in mail.outbox if m.to == [english_voter.email]]
    assert to_other and english in to_other[0].subject

    # Log out; a browser that forgot the switch (no cookie) logs in: the preference holds.
    page.locator("form[action='/accounts/logout/'] button").click()
    page.context.clear_cookies()
    page.goto("/groups/")
    assert page.locator("html").get_attribute("lang") == "en"
    log_in(page, "voter")
    page.goto("/groups/")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.get_by_role("heading", level=1).inner_text() == italian("Working groups")
    assert UserFactory._meta.model.objects.get(username="voter").language == "it"
