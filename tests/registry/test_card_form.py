"""The dataset card written with a form generated from the standard's JSON Schema (issue 16,
defect 4); "edit as JSON" kept. Works without JavaScript; in a browser, values cross between the
two ways of writing and fields are checked as one types."""

import json
import re

import pytest
from django.http import QueryDict

from config.schemaform import schema_fields
from datasets_registry.models import Dataset

from .factories import VALID_METADATA
from .test_pages import form_data

pytestmark = pytest.mark.django_db


def card_fields(card, value) -> dict:
    """The posted fields that spell ``value`` in the generated form (as a browser sends them)."""
    data = QueryDict(mutable=True)

    def walk(node):
        if node.kind == "multi_enum":
            data.setlist(node.name, node.value or [])
        elif node.kind == "lines":
            data[node.name] = node.lines
        elif node.kind not in ("object", "array"):
            v = node.value
            data[node.name] = (
                "" if v is None else ("yes" if v else "no") if v is True or v is False else str(v)
            )
        for child in node.children:
            walk(child)

    walk(schema_fields(card.schema, value))
    return data


def test_the_form_is_generated_from_the_schema(card, user, client_for):
    html = client_for(user).get("/datasets/new/").content.decode()
    assert 'name="card_mode" value="form" checked' in html
    assert 'name="card/provenance"' in html and 'minlength="20"' in html
    assert "at least 20 characters" in html  # the limit, stated
    assert 'name="card/creators/0/name"' in html  # arrays of objects, nested
    assert '<option value="organization">' in html  # enums
    assert 'name="card/collection/types" value="manual_curation"' in html
    assert "Who made the dataset" in html  # help from the field's description
    assert html.index("Who made the dataset") < html.index('<button type="submit">')
    assert 'id="id_metadata"' in html  # edit as JSON, kept


def test_registering_with_the_generated_form_without_javascript(card, user, client_for):
    data = QueryDict(mutable=True)
    data.update(form_data(metadata=""))
    for key in (fields := card_fields(card, VALID_METADATA)):
        data.setlist(key, fields.getlist(key))
    data["card_mode"] = "form"
    response = client_for(user).post("/datasets/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert Dataset.objects.get(slug="street-cats").metadata == VALID_METADATA


def test_errors_sit_beside_the_generated_fields_with_their_limits(card, user, client_for):
    bad = {**VALID_METADATA, "provenance": "COCO's."}
    data = QueryDict(mutable=True)
    data.update(form_data(metadata=""))
    for key in (fields := card_fields(card, bad)):
        data.setlist(key, fields.getlist(key))
    data["card_mode"] = "form"
    response = client_for(user).post("/datasets/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="form" checked' in html  # still on the form
    field = html[html.index('name="card/provenance"') :]
    assert "Write at least 20 characters; this has 7." in field[: field.index("</div>")]
    assert "COCO&#x27;s." in field  # what was typed is kept
    assert not Dataset.objects.exists()


def test_json_mode_still_works(card, user, client_for):
    data = form_data(metadata=json.dumps(VALID_METADATA), card_mode="json")
    response = client_for(user).post("/datasets/new/", data)
    assert response.status_code == 302


@pytest.mark.e2e
def test_writing_the_card_in_the_browser(card, user, live_server, browser_page):
    from tests.governance.test_e2e import login

    page = browser_page
    login(page, live_server, user)
    page.goto("/datasets/new/")
    assert not page.locator("#id_metadata").is_visible()  # JSON hidden while the form is chosen
    page.fill("#id_name", "Browser cats")
    page.fill("#id_summary", "Cats, written in a browser.")
    page.fill("#id_license", "CC-BY-4.0")
    provenance = page.locator('[name="card/provenance"]')
    provenance.fill("Too short")
    provenance.blur()
    live = page.locator('[name="card/provenance"] ~ .field-error.live')
    assert live.is_visible() and "20" in live.inner_text()  # checked as one types
    # Start from the example card in JSON, then switch to the form: the values come across.
    page.get_by_label("Edit as JSON (for experts)").check()
    page.fill("#id_metadata", json.dumps(VALID_METADATA))
    page.get_by_label("With the form below").check()
    assert provenance.input_value() == VALID_METADATA["provenance"]
    assert not live.is_visible() or live.inner_text() == ""
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/versions/new/$"))
    assert Dataset.objects.get(slug="browser-cats").metadata == VALID_METADATA
