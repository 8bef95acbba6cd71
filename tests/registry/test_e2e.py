"""In a real browser: register a dataset, upload a caption file, see its hash; an anonymous
visitor finds it in the list and downloads its Croissant JSON-LD."""

import hashlib
import json
import re

import pytest

from datasets_registry.bootstrap import ensure_omi_dataset_card
from tests.factories import PASSWORD, UserFactory

from .factories import VALID_METADATA, jsonl_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_register_upload_and_publish(browser_page, tmp_path):
    ensure_omi_dataset_card()
    UserFactory(username="curator")
    page = browser_page

    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("curator")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto("/datasets/")
    page.get_by_role("link", name="Register a dataset").click()
    page.locator("#id_name").fill("Garden birds")
    page.get_by_label("Summary").fill("Birds photographed in gardens.")
    page.locator("#id_license").fill("CC-BY-4.0")
    # The card form is generated from the schema; an expert pastes the card as JSON instead.
    page.get_by_label("Edit as JSON (for experts)").check()
    page.get_by_role("textbox", name="The card as JSON").fill(json.dumps(VALID_METADATA, indent=2))
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r".*/datasets/garden-birds/versions/new/$"))

    data = jsonl_bytes(12)
    caption_file = tmp_path / "metadata.jsonl"
    caption_file.write_bytes(data)
    page.get_by_label("Caption file").set_input_files(str(caption_file))
    page.locator("#id_version").fill("1.0.0")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r".*/datasets/garden-birds/versions/1\.0\.0/$"))
    expected = hashlib.sha256(data).hexdigest()
    assert page.locator("#version-sha256").inner_text() == expected
    assert page.get_by_text("12", exact=True).first.is_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/datasets/")
    page.get_by_role("link", name="Garden birds").click()
    page.wait_for_url(re.compile(r".*/datasets/garden-birds/$"))
    page.get_by_role("link", name="1.0.0", exact=True).click()
    with page.expect_download() as download_info:
        page.locator("#croissant-link").click()
    download = download_info.value
    assert download.suggested_filename == "garden-birds-1.0.0.croissant.json"
    with open(download.path()) as fh:
        doc = json.load(fh)
    assert doc["name"] == "Garden birds"
    assert doc["distribution"][0]["sha256"] == expected

    import mlcroissant as mlc

    mlc.Dataset(jsonld=doc)  # raises when the document is not valid Croissant
