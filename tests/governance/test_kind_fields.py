"""The proposal form shows the fields of the chosen kind only (issue 16, defect 15), with and
without JavaScript; a leftover value of another kind never reaches the service."""

import re

import pytest

from governance.models import Proposal

from .test_e2e import login

NEW = "/groups/wg/proposals/new/"
EXTRA = ("subject", "membership_action", "target_type", "target_id", "target_sha256")


def shown(html: str) -> set[str]:
    """The kind-specific fields not hidden on the page."""
    out = set()
    for m in re.finditer(
        r'<div class="field[^"]*"( data-kinds="[^"]*")?( hidden)?>\s*<label for="id_(\w+)"', html
    ):
        if m.group(3) in EXTRA and not m.group(2):
            out.add(m.group(3))
    return out


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("general", set()),
        ("charter_amendment", set()),
        ("membership", {"subject", "membership_action"}),
        ("standard_adoption", {"target_id", "target_sha256"}),
        ("dataset_acceptance", {"target_id", "target_sha256"}),
        ("licence_exception", {"target_type", "target_id", "target_sha256"}),
    ],
)
def test_each_kind_shows_only_its_fields(gov, client, kind, fields):
    client.force_login(gov.contributor)
    html = client.get(f"{NEW}?kind={kind}").content.decode()
    assert shown(html) == fields


def test_without_javascript_the_button_shows_the_chosen_kinds_fields_and_keeps_the_text(
    gov, client
):
    client.force_login(gov.contributor)
    response = client.post(
        NEW,
        {"kind": "membership", "title": "Promote Jo", "body": "Jo did a lot.", "show_kind": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert shown(html) == {"subject", "membership_action"}
    assert "Promote Jo" in html and "Jo did a lot." in html
    assert "field-error" not in html  # nothing was saved, so nothing is wrong yet
    assert not Proposal.objects.exists()


def test_a_kinds_required_fields_are_asked_for_and_others_ignored(gov, client):
    client.force_login(gov.contributor)
    response = client.post(NEW, {"kind": "standard_adoption", "title": "Adopt 1.1"})
    assert response.status_code == 400
    assert response.content.decode().count("Required for this kind of proposal.") == 2
    # A general proposal with a hidden leftover target: saved without it.
    response = client.post(
        NEW,
        {"kind": "general", "title": "Plain", "target_type": "dataset_version", "target_id": "3"},
    )
    assert response.status_code == 302
    p = Proposal.objects.get(title="Plain")
    assert (p.target_type, p.target_id, p.subject_id) == ("", None, None)


@pytest.mark.e2e
def test_in_the_browser_choosing_a_kind_switches_the_fields_in_place(
    gov, live_server, browser_page
):
    page = browser_page
    login(page, live_server, gov.contributor)
    page.goto(NEW)
    assert not page.get_by_label("Member").is_visible()
    assert not page.get_by_label("Target type (optional)").is_visible()
    assert not page.get_by_role("button", name="Show its fields").is_visible()
    page.get_by_label("Kind").select_option("membership")
    page.get_by_label("Member").wait_for()
    assert page.get_by_label("Action").is_visible()
    assert not page.locator("#id_target_id").is_visible()
    page.get_by_label("Kind").select_option("standard_adoption")
    page.locator("#id_target_id").wait_for()
    assert not page.get_by_label("Member").is_visible()
    assert not page.locator("#id_target_type").is_visible()


@pytest.mark.e2e
def test_in_a_browser_without_javascript_the_button_does_it(gov, live_server, _playwright_browser):
    from django.conf import settings
    from django.test import Client

    context = _playwright_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        c = Client()
        c.force_login(gov.contributor)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(NEW)
        page.fill("#id_title", "Promote committer")
        page.get_by_label("Kind").select_option("membership")
        assert not page.get_by_label("Member").is_visible()  # no script: nothing moved yet
        page.get_by_role("button", name="Show its fields").click()
        page.get_by_label("Member").wait_for()
        assert page.input_value("#id_title") == "Promote committer"
    finally:
        context.close()
