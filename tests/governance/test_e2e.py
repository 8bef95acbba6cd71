"""In a real browser: a contributor writes a proposal and moves it to discussion, the chair opens
the vote, three committers vote on the website, the close runs, and the decision page shows the
tally."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from governance import services
from governance.models import Proposal

from .factories import make_due


def login(page, live_server, user) -> None:
    """Swap the browser's session for one made with ``force_login`` (no password round-trip)."""
    client = Client()
    client.force_login(user)
    # A request the last page still has in flight would come back without a CSRF cookie and set
    # a fresh one over the next page's (its form then fails "CSRF token incorrect", now and then).
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.e2e
def test_a_proposal_from_draft_to_decision_in_the_browser(gov, live_server, browser_page):
    page = browser_page

    login(page, live_server, gov.contributor)
    page.goto("/groups/wg/")
    page.get_by_role("link", name="Write a proposal").click()
    page.fill("#id_title", "Caption in full sentences")
    page.fill("#id_summary", "Every caption is a full sentence.")
    page.fill("#id_body", "## Why\n\nModels learn grammar from captions.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Move to discussion").click()
    assert "open for discussion" in page.content()
    proposal = Proposal.objects.get(title="Caption in full sentences")
    assert proposal.status == "discussion"

    login(page, live_server, gov.chair)
    page.goto(proposal.get_absolute_url())
    closes = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_voting_closes_at", closes)
    page.get_by_role("button", name="Open the vote").click()
    assert "The vote is open" in page.content()

    for committer, choice in zip(gov.committers, ["yes", "yes", "no"], strict=True):
        login(page, live_server, committer)
        page.goto(proposal.get_absolute_url())
        page.check(f"input[name=choice][value={choice}]")
        if choice == "no":
            page.fill("#id_reason", "Too strict for alt text.")
        page.get_by_role("button", name="Cast my vote").click()
        # htmx swaps the vote panel in place (without JavaScript the page reloads).
        page.get_by_text("Your vote is recorded.").wait_for()

    make_due(proposal)
    services.close_due_proposals()

    page.goto(proposal.get_absolute_url() + "decision/")
    tally = page.locator("#tally").inner_text()
    assert "2 yes" in tally and "1 no" in tally and "0 abstain" in tally
    # Four on the roll (the chair and three committers): two yes is not a majority of all.
    assert "Rejected" in page.content()
    assert "4 voting members" in page.content()
