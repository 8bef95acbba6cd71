"""In a real browser: an invited red-teamer files a finding; a triager confirms it; the release
vote is blocked with the reason shown; a new version fixes it; the finding is disclosed; the
release vote opens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services as gov
from models_registry import services as model_services
from models_registry.redteam.models import Finding
from tests.governance.test_e2e import login
from tests.models_registry.conftest import register

from .conftest import FINDING


@pytest.mark.e2e
def test_finding_blocks_then_fix_opens_the_release_vote(
    live_server, browser_page, campaign, reporter, triager, chair, maintainer, dataset_version
):
    page = browser_page
    fix = register(campaign.version.model, maintainer, dataset_version, version="0.1.0-alpha.2")
    proposal = model_services.propose_release(version=fix, actor=maintainer)
    gov.proposal_to_discussion(proposal=proposal, actor=maintainer)

    login(page, live_server, reporter)
    page.goto(live_server.url + campaign.get_absolute_url())
    page.get_by_role("link", name="File a finding").click()
    page.fill("#title", FINDING["title"])
    page.select_option("#category", "filter_bypass")
    page.select_option("#severity", "high")
    page.fill("#description", FINDING["description"])
    page.fill("#prompt", FINDING["reproduction"]["prompt"])
    page.fill("#seed", "1234")
    page.fill("#steps", "30")
    page.fill("#guidance_scale", "7.5")
    page.get_by_role("button", name="File the finding").click()
    assert "Finding #1" in page.content() and "Embargoed" in page.content()
    finding = Finding.objects.get()

    login(page, live_server, triager)
    for to in ("triaged", "confirmed"):
        page.goto(live_server.url + finding.get_absolute_url())
        page.select_option("#to", to)
        page.get_by_role("button", name="Apply").click()
        assert page.locator("#finding-status").inner_text().lower() == to

    login(page, live_server, chair)
    page.goto(live_server.url + proposal.get_absolute_url())
    closes = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_voting_closes_at", closes)
    page.get_by_role("button", name="Open the vote").click()
    assert "#1 (high, confirmed)" in page.content()
    proposal.refresh_from_db()
    assert proposal.status == "discussion"

    login(page, live_server, triager)
    page.goto(live_server.url + finding.get_absolute_url())
    page.select_option("#to", "mitigated")
    page.fill("#fixed_in", fix.version)
    page.get_by_role("button", name="Apply").click()
    page.select_option("#to", "disclosed")
    page.fill("#note", "Fixed in the next version.")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#finding-status").inner_text().startswith("Disclosed")
    assert page.locator("#salt").inner_text()

    login(page, live_server, chair)
    page.goto(live_server.url + proposal.get_absolute_url())
    page.fill("#id_voting_closes_at", closes)
    page.get_by_role("button", name="Open the vote").click()
    assert "The vote is open" in page.content()
    proposal.refresh_from_db()
    assert proposal.status == "voting"
