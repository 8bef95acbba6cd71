"""In a real browser: a committer sees the bell's count rise when a vote opens, opens the
inbox, follows the link and votes."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from governance import services as g
from governance.models import Vote
from notifications.models import Notification
from tests.governance.factories import in_discussion


def login(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.e2e
def test_the_bell_rises_when_a_vote_opens_and_leads_to_the_ballot(
    gov, eager, settings, live_server, browser_page
):
    settings.NOTIFICATIONS_BELL_POLL_SECONDS = 1
    page = browser_page
    p = in_discussion(gov.group, gov.contributor, title="Captions in full sentences")
    committer = gov.committers[0]
    login(page, live_server, committer)
    page.goto("/groups/wg/")
    bell = page.locator("a.bell")
    bell.wait_for()
    assert page.locator("#bell-count").count() == 0

    g.proposal_open_voting(
        proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(days=2)
    )
    assert Notification.objects.filter(recipient=committer, kind="vote.opened").exists()
    # htmx polls the bell; the count appears without a page reload.
    page.locator("#bell-count").wait_for(timeout=10_000)
    assert page.locator("#bell-count").inner_text() == "1"

    bell.click()
    page.wait_for_url("**/notifications/")
    page.get_by_role(
        "link", name=f"Your vote is needed: #{p.number} Captions in full sentences"
    ).click()
    page.wait_for_url(f"**/groups/wg/proposals/{p.number}/")
    page.check("input[name=choice][value=yes]")
    page.get_by_role("button", name="Cast my vote").click()
    page.get_by_text("Your vote is recorded.").wait_for()
    assert Vote.objects.get(proposal=p, voter=committer).choice == "yes"
    # Following the link marked it read: the bell is back to nothing unread.
    page.goto("/groups/wg/")
    page.wait_for_timeout(1500)
    assert page.locator("#bell-count").count() == 0
