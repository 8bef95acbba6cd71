"""Issue 10 items 7 and 8: one JSON loader (depth limit, text rule) for every JSON body and
every JSON form field; one text rule for form data. Never a 500."""

import json

import pytest

from config import jsonsafe
from datasets_registry.bootstrap import ensure_omi_dataset_card
from surveys.models import Survey
from tests.registry.factories import VALID_METADATA
from tests.surveys.factories import definition, keys, make_survey, option

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


def deep_object(levels: int = 5000) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


@pytest.fixture
def card(db):
    return ensure_omi_dataset_card()


@pytest.fixture
def chair(card):
    from governance.models import Membership
    from tests.factories import UserFactory

    person = UserFactory(username="std-chair")
    Membership.objects.create(user=person, group=card.standard.group, role="chair", status="active")
    return person


# --- The loader ---------------------------------------------------------------------------------


def test_the_loader_refuses_deep_nesting_and_names_where():
    with pytest.raises(jsonsafe.JSONProblem, match="JSON nested too deeply") as exc:
        jsonsafe.loads(DEEP)
    assert exc.value.pointer == "/0" * jsonsafe.MAX_DEPTH
    with pytest.raises(jsonsafe.JSONProblem, match="JSON nested too deeply") as exc:
        jsonsafe.loads('{"x": [1, ' + deep_object(100) + "]}")
    assert exc.value.pointer.startswith("/x/1/a/a")
    assert jsonsafe.loads(deep_object(jsonsafe.MAX_DEPTH - 1))  # the limit itself is fine


def test_the_loader_refuses_unstorable_text_in_values_and_keys():
    with pytest.raises(jsonsafe.JSONProblem, match="lone surrogate") as exc:
        jsonsafe.loads('{"sections": [{"title": "\\ud800"}]}')
    assert exc.value.pointer == "/sections/0/title"
    with pytest.raises(jsonsafe.JSONProblem, match="NUL") as exc:
        jsonsafe.loads('{"a\\u0000b": 1}')
    assert exc.value.pointer == "/a\\u0000b"
    with pytest.raises(jsonsafe.JSONProblem, match="NaN is not valid JSON"):
        jsonsafe.loads("[NaN]")
    # A pair of surrogate escapes is one real character.
    assert jsonsafe.loads('"\\ud83d\\ude00"') == "\N{GRINNING FACE}"


def test_the_text_rule():
    assert jsonsafe.text_problem("plain text, é, 😀") is None
    assert "NUL" in jsonsafe.text_problem("a\x00b")
    assert "U+DFFF" in jsonsafe.text_problem("x\udfff")


# --- Item 7: 5,000 levels deep answer 400 everywhere --------------------------------------------


def post_raw(client, url, body: str):
    return client.post(
        url, data=body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )


def test_deep_json_in_a_survey_response_is_a_400(api_client, staff_user):
    survey = make_survey(actor=staff_user, audience="anyone")
    q = keys(survey)
    body = '{"answers": {"' + str(q["role"].id) + '": ' + DEEP + "}}"
    response = post_raw(api_client, f"/api/v1/surveys/{survey.slug}/responses/", body)
    assert response.status_code == 400
    payload = response.json()
    assert "JSON nested too deeply" in payload["detail"]
    pointer = next(iter(payload["errors"]))
    assert pointer.startswith(f"/answers/{q['role'].id}/0/0")


def test_deep_json_in_a_survey_definition_is_a_400(api_client_for, staff_user):
    body = json.dumps(definition(slug="deep"))[:-1] + ', "extra": ' + DEEP + "}"
    response = post_raw(api_client_for(staff_user), "/api/v1/surveys/", body)
    assert response.status_code == 400
    assert "JSON nested too deeply" in response.json()["detail"]
    assert "/extra/0/0" in next(iter(response.json()["errors"]))


def test_deep_json_in_dataset_metadata_is_a_400(api_client_for, user, card):
    body = json.dumps(
        {
            "name": "Deep",
            "summary": "",
            "description": "",
            "license": "CC0-1.0",
            "standard": "omi-dataset-card@1.0.0",
            "metadata": "PLACEHOLDER",
            "visibility": "public",
        }
    ).replace('"PLACEHOLDER"', deep_object())
    response = post_raw(api_client_for(user), "/api/v1/datasets/", body)
    assert response.status_code == 400
    assert "JSON nested too deeply" in response.json()["detail"]
    assert next(iter(response.json()["errors"])).startswith("/metadata/a/a")


def test_the_dataset_form_refuses_deep_metadata(client_for, user, card):
    response = client_for(user).post(
        "/datasets/new/",
        {
            "name": "Deep",
            "slug": "",
            "summary": "",
            "description": "",
            "license": "CC0-1.0",
            "standard": "omi-dataset-card@1.0.0",
            "visibility": "public",
            "homepage": "",
            "metadata": deep_object(),
        },
    )
    assert response.status_code == 200
    assert "JSON nested too deeply" in response.context["form"].errors["metadata"][0]


def test_the_standard_editor_refuses_deep_rules_and_unstorable_text(client_for, chair, card):
    client = client_for(chair)
    response = client.post(
        "/standards/omi-dataset-card/versions/new/",
        {"version": "1.1.0", "schema": json.dumps(card.schema), "rules": DEEP, "changelog": ""},
    )
    assert response.status_code == 200
    assert "JSON nested too deeply" in response.context["form"].errors["rules"][0]
    response = client.post(
        "/standards/omi-dataset-card/versions/new/",
        {
            "version": "1.1.0",
            "schema": '{"title": "\\ud800"}',
            "rules": "{}",
            "changelog": "",
        },
    )
    assert response.status_code == 200
    assert "lone surrogate" in response.context["form"].errors["schema"][0]


def test_the_survey_import_form_refuses_deep_json(client_for, staff_user):
    page = client_for(staff_user).post("/surveys/import/", {"definition": DEEP})
    assert page.status_code == 400
    assert "JSON nested too deeply" in page.content.decode()


# --- Item 8: a lone surrogate anywhere in stored text is a 400, on every database ---------------


@pytest.mark.parametrize("field", ["title", "introduction", "prompt"])
def test_a_lone_surrogate_in_a_survey_definition_is_a_400(api_client_for, staff_user, field):
    d = definition(slug=f"s-{field}")
    if field == "prompt":
        d["sections"][0]["questions"][0]["prompt"] = "SURROGATE"
    else:
        d[field] = "SURROGATE"
    body = json.dumps(d).replace('"SURROGATE"', '"bad \\ud800 text"')
    response = post_raw(api_client_for(staff_user), "/api/v1/surveys/", body)
    assert response.status_code == 400
    body = response.json()
    assert "lone surrogate" in body["detail"]
    pointer = next(iter(body["errors"]))
    assert pointer == ("/sections/0/questions/0/prompt" if field == "prompt" else f"/{field}")
    assert not Survey.objects.filter(slug=f"s-{field}").exists()


def test_nul_in_a_json_body_is_a_400(api_client, staff_user):
    survey = make_survey(actor=staff_user, audience="anyone")
    q = keys(survey)
    body = json.dumps(
        {
            "answers": {
                str(q["role"].id): option(q["role"], "artist"),
                str(q["consent"].id): 3,
                str(q["comment"].id): "a\x00b",
            }
        }
    )
    response = post_raw(api_client, f"/api/v1/surveys/{survey.slug}/responses/", body)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"/answers/{q['comment'].id}": ["Text may not contain the NUL character (U+0000)."]
    }


def test_nul_in_form_data_is_a_400_naming_the_field(client, staff_user):
    survey = make_survey(actor=staff_user, audience="anyone")
    q = keys(survey)
    url = f"/surveys/{survey.slug}/answer/"
    client.get(url)
    response = client.post(
        url, {"page": 1, "action": "submit", f"q{q['comment'].id}": "hello\x00world"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"q{q['comment'].id}" in page and "NUL" in page


def test_nul_in_a_query_string_is_a_400(client, card):
    response = client.get("/datasets/", {"search": "cats\x00"})
    assert response.status_code == 400
    assert "search" in response.content.decode()
    api = client.get("/api/v1/datasets/", {"search": "x\x00"})
    assert api.status_code == 400
    assert api.json()["errors"] == {"search": ["Text may not contain the NUL character (U+0000)."]}


def test_valid_unicode_still_goes_through(api_client_for, staff_user):
    body = json.dumps(definition(slug="unicode", title="Ümlaut survey 😀"), ensure_ascii=True)
    response = post_raw(api_client_for(staff_user), "/api/v1/surveys/", body)
    assert response.status_code == 201, response.json()
    assert Survey.objects.get(slug="unicode").title == "Ümlaut survey 😀"


def test_metadata_valid_json_still_registers(api_client_for, user, card):
    response = api_client_for(user).post(
        "/api/v1/datasets/",
        {
            "name": "Fine",
            "summary": "",
            "description": "",
            "license": "CC0-1.0",
            "standard": "omi-dataset-card@1.0.0",
            "metadata": VALID_METADATA,
            "visibility": "public",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
