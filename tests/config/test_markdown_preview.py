"""Markdown tables scroll in their own box, and the editors have a preview rendered by the same
sanitiser (issue 16, defect 13)."""

import pytest

from config.markdown import PREVIEW_MAX_CHARS, render

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_a_table_is_wrapped_in_a_focusable_scroll_box():
    html = str(render(TABLE))
    assert html.startswith('<div class="md-table" role="region" aria-label="Table" tabindex="0">')
    assert "<table>" in html and html.rstrip().endswith("</table></div>")


def test_the_wrapper_cannot_be_forged_or_escaped_by_the_text():
    html = str(render('<div class="md-table" onclick="x()">hi</div><table onclick="y()"></table>'))
    assert "onclick" not in html
    assert html.count('class="md-table"') == 1  # only the one the renderer adds


@pytest.mark.django_db
def test_the_preview_endpoint_renders_with_the_same_sanitiser(client, user):
    assert client.post("/markdown/preview/", {"text": "x"}).status_code == 403
    client.force_login(user)
    assert client.get("/markdown/preview/").status_code == 405
    r = client.post("/markdown/preview/", {"text": TABLE + "\n<script>alert(1)</script> **bold**"})
    assert r.status_code == 200
    body = r.content.decode()
    assert body == str(render(TABLE + "\n<script>alert(1)</script> **bold**"))
    assert "<script" not in body and "<strong>bold</strong>" in body
    too_long = client.post("/markdown/preview/", {"text": "x" * (PREVIEW_MAX_CHARS + 1)})
    assert too_long.status_code == 400 and "at most" in too_long.content.decode()
    assert "Nothing to preview" in client.post("/markdown/preview/", {"text": ""}).content.decode()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_proposal_editor_previews_in_the_browser(browser_page, live_server):
    from governance.models import Membership
    from tests.governance.factories import WorkingGroupFactory, member
    from tests.governance.test_e2e import login

    group = WorkingGroupFactory(slug="wg", name="WG")
    author = member(group, Membership.Role.CONTRIBUTOR, "author")
    page = browser_page
    login(page, live_server, author)
    page.goto("/groups/wg/proposals/new/")
    page.fill("#id_body", TABLE + "\n**Bold** <script>window.__x = 1</script>")
    page.get_by_role("tab", name="Preview").click()
    preview = page.locator(".md-preview")
    preview.locator("table").wait_for()
    assert preview.locator("strong", has_text="Bold").is_visible()
    assert not page.locator("#id_body").is_visible()
    assert page.evaluate("() => window.__x") is None
    page.get_by_role("tab", name="Write").click()
    assert page.locator("#id_body").is_visible()
    # The text is still what was typed, and saving works as before.
    page.fill("#id_title", "With a table")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("region", name="Table").wait_for()
