"""Multilingual questions (issue 18): an author's translations of prompts, help, options, rows
and sections are accepted by the definition, stored, exported back, shown to people in their
language, and kept out of results, exports and answer values."""

import copy
import csv
import io

import pytest

from config.errors import Invalid
from surveys import definition as definition_format
from surveys import exports, services
from surveys.answers import specs_for

from .factories import definition, keys, make_survey, option

pytestmark = pytest.mark.django_db


def translated(**overrides) -> dict:
    d = definition(**overrides)
    first = d["sections"][0]
    first["translations"] = {"it": {"title": "Primo"}, "pt_BR": {"title": "Primeira"}}
    role = first["questions"][0]
    role["help"] = "Pick the closest."
    role["translations"] = {
        "it": {"prompt": "Il tuo ruolo?", "help": "Scegli il più vicino."},
        "pt-br": {"prompt": "Sua função?"},
    }
    role["options"][0]["translations"] = {"it": "Artista", "pt-BR": "Artista"}
    role["options"][1]["translations"] = {"it": "Sviluppatore"}
    matrix = d["sections"][1]["questions"][3]
    matrix["options"] = [
        {"label": "Bad", "translations": {"it": "Scarso"}},
        "OK",
        {"label": "Good", "translations": {"it": "Buono"}},
    ]
    matrix["rows"] = [{"label": "Tags", "translations": {"it": "Etichette"}}, "Sentences"]
    return d


def test_the_definition_accepts_translations_and_normalises_the_languages():
    d = definition_format.check(translated())
    first = d["sections"][0]
    assert first["translations"] == {"it": {"title": "Primo"}, "pt-BR": {"title": "Primeira"}}
    role = first["questions"][0]
    assert set(role["translations"]) == {"it", "pt-BR"}
    assert role["options"][0] == {
        "key": "artist",
        "label": "Artist",
        "translations": {"it": "Artista", "pt-BR": "Artista"},
    }
    assert "translations" not in role["options"][2]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (
            lambda d: d["sections"][0]["questions"][0].update(
                translations={"fr": {"prompt": "Votre rôle ?"}}
            ),
            "/sections/0/questions/0/translations/fr",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["options"][0].update(
                translations={"de": "Künstler"}
            ),
            "/sections/0/questions/0/options/0/translations/de",
        ),
        (
            lambda d: d["sections"][1].update(translations={"es": {"title": "Segunda"}}),
            "/sections/1/translations/es",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(
                translations={"pt-BR": {"prompt": "A"}, "pt_br": {"prompt": "B"}}
            ),
            "/sections/0/questions/0/translations/pt_br",
        ),
    ],
)
def test_unknown_or_repeated_languages_are_refused_by_pointer(change, pointer):
    d = definition()
    change(d)
    with pytest.raises(Invalid) as exc:
        definition_format.check(d)
    assert pointer in exc.value.errors
    message = " ".join(exc.value.errors[pointer])
    assert "en, it, pt-BR" in message or "twice" in message


@pytest.mark.parametrize(
    "bad",
    [
        {"it": "not an object"},
        {"it": {"prompt": ""}},
        {"it": {"title": "a question has no title"}},
    ],
)
def test_the_schema_refuses_misshapen_translations(bad):
    d = definition()
    d["sections"][0]["questions"][0]["translations"] = bad
    with pytest.raises(Invalid) as exc:
        definition_format.check(d)
    assert any(p.startswith("/sections/0/questions/0/translations") for p in exc.value.errors)


def test_translations_round_trip_through_the_export(staff_user):
    survey = make_survey(actor=staff_user, open=False, **{"sections": translated()["sections"]})
    exported = definition_format.export(survey)
    role = exported["sections"][0]["questions"][0]
    assert role["translations"]["pt-BR"] == {"prompt": "Sua função?"}
    assert role["options"][1]["translations"] == {"it": "Sviluppatore"}
    assert exported["sections"][0]["translations"]["it"] == {"title": "Primo"}
    assert exported["sections"][1]["questions"][3]["rows"][0]["translations"] == {"it": "Etichette"}
    # No translations: the export is as it always was (no empty "translations" keys).
    assert "translations" not in exported["sections"][1]
    assert "translations" not in exported["sections"][0]["questions"][1]
    copied = copy.deepcopy(exported)
    del copied["slug"]
    again = make_survey(actor=staff_user, open=False, **copied)
    assert definition_format.export(again)["sections"] == exported["sections"]


def test_the_website_import_carries_translations(client_for, staff_user):
    import json

    page = client_for(staff_user).post(
        "/surveys/import/", {"definition": json.dumps(translated(slug="imported"))}
    )
    assert page.status_code == 302
    exported = client_for(staff_user).get("/surveys/imported/definition.json").json()
    assert exported["sections"][0]["questions"][0]["translations"]["it"]["prompt"] == (
        "Il tuo ruolo?"
    )


def test_the_answer_page_speaks_the_readers_language(client_for, staff_user, user):
    survey = make_survey(actor=staff_user, **{"sections": translated()["sections"]})
    c = client_for(user)
    italian = c.get(f"/surveys/{survey.slug}/answer/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Il tuo ruolo?" in italian and "Scegli il più vicino." in italian
    assert "Artista" in italian and "Sviluppatore" in italian
    assert "Researcher" in italian  # not translated: the source text
    assert "Primo" in italian
    english = c.get(f"/surveys/{survey.slug}/answer/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your role?" in english and "Pick the closest." in english
    assert "Il tuo ruolo?" not in english and "Artista" not in english
    portuguese = c.get(
        f"/surveys/{survey.slug}/answer/", HTTP_ACCEPT_LANGUAGE="pt-BR"
    ).content.decode()
    assert "Sua função?" in portuguese and "Primeira" in portuguese


def test_the_preview_speaks_the_readers_language(client_for, staff_user):
    survey = make_survey(actor=staff_user, open=False, **{"sections": translated()["sections"]})
    page = client_for(staff_user).get(f"/surveys/{survey.slug}/preview/", HTTP_ACCEPT_LANGUAGE="it")
    assert "Il tuo ruolo?" in page.content.decode()
    assert "Etichette" in page.content.decode()


def test_answers_results_and_exports_keep_the_source_texts(client_for, staff_user, user):
    survey = make_survey(
        actor=staff_user, min_cell_size=1, **{"sections": translated()["sections"]}
    )
    q = keys(survey)
    services.response_submit(
        survey=survey,
        user=user,
        answers={
            q["role"].id: option(q["role"], "artist"),
            q["consent"].id: 4,
            q["captions"].id: {str(q["captions"].rows[0][0]): q["captions"].options[2][0]},
        },
    )
    # The stored answer is the option's id; the spec (results, exports) has the source label.
    assert specs_for(survey)[0].options[0][2] == "Artist"
    rows = list(csv.reader(io.StringIO(exports.to_csv(survey))))
    assert rows[0] == [
        *("role", "tools", "language", "hours", "consent", "rank"),
        *("captions.tags", "captions.sentences", "comment"),
    ]
    assert rows[1][0] == "artist" and rows[1][6] == "good"
    book = exports.codebook(specs_for(survey))
    assert book[0]["prompt"] == "Your role?" and "artist = Artist" in book[0]["codes"]
    services.survey_close(survey=survey, actor=staff_user)
    doc = client_for(staff_user).get(f"/api/v1/surveys/{survey.slug}/results/").json()
    role = next(x for x in doc["questions"] if x["key"] == "role")
    assert role["prompt"] == "Your role?" and role["options"][0]["label"] == "Artist"
    # The results page shows the reader's language, from the same document.
    italian = (
        client_for(user)
        .get(f"/surveys/{survey.slug}/results/", HTTP_ACCEPT_LANGUAGE="it")
        .content.decode()
    )
    assert "Il tuo ruolo?" in italian and "Artista" in italian
    assert "Etichette" in italian and "Buono" in italian
    english = (
        client_for(user)
        .get(f"/surveys/{survey.slug}/results/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Your role?" in english and "Il tuo ruolo?" not in english


def test_the_api_detail_keeps_the_source_and_adds_translations(api_client, staff_user):
    survey = make_survey(actor=staff_user, **{"sections": translated()["sections"]})
    body = api_client.get(f"/api/v1/surveys/{survey.slug}/", HTTP_ACCEPT_LANGUAGE="it").json()
    first = body["sections"][0]
    assert first["title"] == "First" and first["translations"]["it"] == {"title": "Primo"}
    role = first["questions"][0]
    assert role["prompt"] == "Your role?"
    assert role["translations"]["it"]["prompt"] == "Il tuo ruolo?"
    assert role["options"][0]["label"] == "Artist"
    assert role["options"][0]["translations"] == {"it": "Artista", "pt-BR": "Artista"}
    assert role["options"][2]["translations"] == {}
    assert first["questions"][1]["translations"] == {}


def test_the_api_create_accepts_translations(api_client_for, staff_user):
    res = api_client_for(staff_user).post(
        "/api/v1/surveys/", translated(slug="by-api"), format="json"
    )
    assert res.status_code == 201, res.content
    role = res.json()["sections"][0]["questions"][0]
    assert role["translations"]["pt-BR"]["prompt"] == "Sua função?"
    bad = translated(slug="by-api-2")
    bad["sections"][0]["questions"][0]["translations"] = {"xx": {"prompt": "?"}}
    res = api_client_for(staff_user).post("/api/v1/surveys/", bad, format="json")
    assert res.status_code == 400
    assert "/sections/0/questions/0/translations/xx" in res.json()["errors"]


def test_the_question_editor_has_a_prompt_per_language(client_for, staff_user):
    survey = make_survey(actor=staff_user, open=False, **{"sections": translated()["sections"]})
    c = client_for(staff_user)
    page = c.get(f"/surveys/{survey.slug}/edit/questions/role/").content.decode()
    assert 'name="q-prompt_it"' in page and 'name="q-prompt_pt_br"' in page
    assert "Il tuo ruolo?" in page
    form = {
        "q-section": "0",
        "q-kind": "single_choice",
        "q-prompt": "Your role?",
        "q-required": "on",
        "q-options": "Artist\nDeveloper\nResearcher",
        "q-prompt_it": "Qual è il tuo ruolo?",
        "q-prompt_pt_br": "",
        "q-help_pt_br": "",
    }
    res = c.post(f"/surveys/{survey.slug}/edit/questions/role/", form)
    assert res.status_code == 302, res.content.decode()[:2000]
    role = definition_format.export(survey)["sections"][0]["questions"][0]
    assert role["translations"] == {"it": {"prompt": "Qual è il tuo ruolo?"}}
    # Saved again from the form, the options keep their translations.
    assert role["options"][0]["translations"] == {"it": "Artista", "pt-BR": "Artista"}
