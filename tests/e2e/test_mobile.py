"""At 390 px no main page scrolls sideways (issue 16, defect 8): wide tables scroll inside their
own box, hashes break, and the navigation collapses into a menu (static JS, no inline script)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services as gov_services
from governance.models import Membership
from tests.factories import UserFactory
from tests.governance.factories import WorkingGroupFactory, in_voting, make_due, member
from tests.governance.test_e2e import login

pytestmark = pytest.mark.e2e

WIDTH = 390

# Elements that stick out of the viewport, for the failure message.
OVERFLOWING = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width && r.right > w + 1; })
    .filter(e => !e.closest('.table-wrap, pre, .scroll-x'))
    .slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`);
}"""


@pytest.fixture
def eager():
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def site(db, eager, django_capture_on_commit_callbacks, settings):
    """A group with a decided vote and one open with votes, a survey with a grid question, a
    validated dataset version with every kind of failing row."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from datasets_registry.bootstrap import ensure_omi_dataset_card
    from tests.surveys.factories import make_survey
    from tests.validation.factories import DEFECTS, jsonl, make_dataset, upload

    group = WorkingGroupFactory(slug="wg", name="Captioning standards working group")
    chair = member(group, Membership.Role.CHAIR, "chair-with-a-rather-long-name")
    committers = [member(group, Membership.Role.COMMITTER, f"committer{i}") for i in range(3)]
    contributor = member(group, Membership.Role.CONTRIBUTOR, "contributor")
    decided = in_voting(group, contributor, chair, title="Adopt full-sentence captions")
    for voter in [chair, *committers]:
        gov_services.vote_cast(proposal=decided, voter=voter, choice="yes", reason="Agreed " * 20)
    make_due(decided)
    gov_services.close_due_proposals()
    voting = in_voting(
        group, contributor, chair, title="A vote in progress", closes_in=timedelta(days=2)
    )
    gov_services.vote_cast(proposal=voting, voter=committers[0], choice="no", reason="x" * 300)
    card = ensure_omi_dataset_card()
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    survey = make_survey(actor=staff)
    owner = UserFactory(username="owner")
    dataset = make_dataset(owner, slug="mobile-captions")
    long_caption = {
        "file_name": "a/" + "x" * 120 + ".jpg",
        "text": "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa https://example.com/"
        + "y" * 80,
        "license": "CC-BY-4.0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl([*DEFECTS, long_caption]))
    return {
        "pages": [
            "/",
            "/groups/",
            "/groups/wg/",
            decided.get_absolute_url(),
            decided.get_absolute_url() + "decision/",
            voting.get_absolute_url(),
            "/surveys/",
            f"/surveys/{survey.slug}/",
            f"/surveys/{survey.slug}/answer/",
            "/datasets/",
            dataset.get_absolute_url(),
            version.get_absolute_url(),
            version.get_absolute_url() + "validation/issues/",
            "/standards/",
            card.standard.get_absolute_url(),
            card.get_absolute_url(),
            "/accounts/login/",
            "/accounts/signup/",
        ],
        "signed_in": ["/account/", "/me/", "/groups/wg/", "/datasets/new/"],
        "user": committers[0],
        "survey": survey,
        "started": timezone.now(),
    }


def assert_fits(page, url):
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{url} is {width} px wide: {page.evaluate(OVERFLOWING)}"


def test_no_main_page_scrolls_sideways_at_390_px(site, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 844})
    for url in site["pages"]:
        assert_fits(page, url)
    login(page, live_server, site["user"])
    for url in site["signed_in"]:
        assert_fits(page, url)


def test_the_navigation_collapses_into_a_menu(site, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 844})
    login(page, live_server, site["user"])
    page.goto("/")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80, header  # one line, not three
    assert not page.get_by_role("link", name="Working groups").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Working groups").click()
    page.wait_for_url("**/groups/")
    # On a wide screen there is no menu button: the links are all there.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("link", name="Working groups").is_visible()
