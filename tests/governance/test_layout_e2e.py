"""Layout in a real browser (issue 16, defect 19): the footer sits at the bottom of a short page;
the charter keeps its own height beside the members; the join-requests card has its margin;
"Decline" stays on one line; the standard's JSON Schema is collapsed."""

import pytest

from governance import services
from tests.factories import UserFactory
from tests.governance.test_e2e import login

pytestmark = [pytest.mark.e2e]


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_the_group_page_layout(gov, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    services.membership_request(group=gov.group, user=UserFactory(username="newcomer"))
    login(page, live_server, gov.chair)
    page.goto("/groups/wg/")
    charter, members = box(page, "#charter-h >> xpath=.."), box(page, "#members-h >> xpath=..")
    assert charter["height"] < members["height"]  # not stretched to the members' height
    requests = page.locator("#requests-h >> xpath=..")
    panels_bottom = box(page, ".panels")["y"] + box(page, ".panels")["height"]
    assert requests.bounding_box()["y"] - panels_bottom >= 16
    decline = page.get_by_role("button", name="Decline")
    approve = page.get_by_role("button", name="Approve")
    assert abs(decline.bounding_box()["height"] - approve.bounding_box()["height"]) < 2
    assert (
        page.evaluate("() => document.querySelector('button.danger').getClientRects().length") == 1
    )


def test_the_footer_sits_at_the_bottom_of_a_short_page(db, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 1200})
    page.goto("/accounts/login/")
    footer = box(page, ".site-footer")
    assert abs(footer["y"] + footer["height"] - 1200) < 2


def test_the_standard_versions_schema_is_collapsed(db, live_server, browser_page):
    from datasets_registry.bootstrap import ensure_omi_dataset_card

    version = ensure_omi_dataset_card()
    page = browser_page
    page.goto(version.get_absolute_url())
    schema = page.locator('pre[aria-label="JSON Schema"]')
    assert not schema.is_visible()
    page.get_by_text("Show the JSON Schema").click()
    assert schema.is_visible()
