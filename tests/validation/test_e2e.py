"""A browser uploads a caption file with known defects and reads the validation report."""

import re

import pytest

from tests.factories import PASSWORD, UserFactory

from .factories import CLEAN, DEFECTS, jsonl, make_dataset

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_then_read_the_report(browser_page, eager, tmp_path):
    owner = UserFactory(username="uploader")
    dataset = make_dataset(owner, slug="defective-captions")
    path = tmp_path / "captions.jsonl"
    path.write_bytes(jsonl(DEFECTS))

    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("uploader")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(f"/datasets/{dataset.slug}/versions/new/")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#id_version").fill("1.0.0")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r".*/versions/1\.0\.0/$"))

    panel = page.locator("#validation-panel")
    assert "2 errors" in panel.locator("#validation-status").inner_text()
    text = panel.inner_text()
    for title in ("Empty caption", "Placeholder caption", "Duplicate caption", "Stray whitespace"):
        assert title in text
    assert panel.locator("mark").count() >= 1  # the offending part is highlighted

    page.get_by_role("link", name="Browse every failing row").click()
    page.get_by_label("Rule").select_option("caption_empty")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#issues-table tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "2"
    assert "empty or only whitespace" in rows.first.inner_text()

    # A duplicate shows the caption it repeats and leads to its first occurrence (issue 16,
    # defect 11), and "Go to row" opens the page that holds a row.
    page.get_by_label("Rule").select_option("duplicate_caption")
    page.get_by_role("button", name="Filter").click()
    duplicate = page.locator("#issues-table tbody tr").first
    assert duplicate.locator("td").first.inner_text() == "5"
    assert CLEAN[0] in duplicate.locator(".caption-value").inner_text()
    duplicate.get_by_role("link", name="Go to row 1").click()
    page.wait_for_url(re.compile(r".*\?row=1#row-1$"))
    assert "Row 1 passes every rule" in page.locator("#row-notice").inner_text()
    page.get_by_label("Go to row").fill("6")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#issues-table tr.target").first.locator("td").first.inner_text() == "6"
