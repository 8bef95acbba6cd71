"""The question kinds: one object per kind, registered once (surveys/kinds/). No database."""

import pytest
from django.http import QueryDict

from surveys import definition, kinds
from surveys.answers import QuestionSpec
from surveys.models import Question

from .golden.cases import SPECS

BY_KEY = {s.key: s for s in SPECS}


def test_every_question_kind_has_its_object_and_no_other():
    assert set(kinds.KINDS) == set(Question.Kind.values)
    for name, kind in kinds.KINDS.items():
        assert kind.name == name and kind.template.startswith("surveys/kinds/")


def test_a_kind_is_found_from_a_spec_a_definition_or_a_name():
    scale = kinds.KINDS["scale"]
    assert kinds.of(BY_KEY["consent"]) is scale
    assert kinds.of({"kind": "scale", "prompt": "?"}) is scale
    assert kinds.of("scale") is scale
    with pytest.raises(LookupError):
        kinds.of("essay")


def test_the_kinds_allow_the_constraints_the_schema_knows():
    schema_keys = set(
        definition.schema()["$defs"]["question"]["properties"]["constraints"]["properties"]
    )
    assert set().union(*(k.constraints for k in kinds.KINDS.values())) == schema_keys
    assert set(definition.schema()["$defs"]["question"]["properties"]["kind"]["enum"]) == set(
        kinds.KINDS
    )


def test_scale_points_are_computed_once():
    spec = BY_KEY["consent"]
    scale = kinds.of(spec)
    points = scale.points(spec)
    assert points == [1, 2, 3, 4, 5]
    raw = {"answered": 0, **scale.count(spec, [])}
    assert scale.families(spec, raw)[0].cells == points
    assert [v for v, _ in scale.filter_choices(spec)] == points
    assert scale.widget(spec, None)["points"] == points
    assert scale.codes(spec) == "1..5"
    labels = dict(scale.labels(spec, scale.families(spec, raw)[0], raw))
    assert labels[1] == "1 (No)" and labels[5] == "5 (Yes)" and labels[3] == "3"


@pytest.mark.parametrize(
    ("key", "value", "clean", "error"),
    [
        ("role", "12", 12, None),
        ("role", 99, None, "This option is not offered."),
        ("tools", [23, 21], [21, 23], None),
        ("tools", [21, 22, 23], None, "Too many selections: choose at most 2."),
        ("tools", [21, 21], None, "An option is chosen more than once."),
        ("lang", " Rust ", "Rust", None),
        ("lang", 5, None, "Write text."),
        ("hours", "12", 12, None),
        ("hours", "2.5", None, "Enter a whole number."),
        ("hours", 101, None, "Out of range: enter a number between 0 and 100."),
        ("gpu", 1e309, None, kinds.numeric.TOO_LARGE),
        ("gpu", 10**15, None, kinds.numeric.TOO_LARGE),
        ("gpu", "-1e400", None, kinds.numeric.TOO_LARGE),
        ("gpu", "NaN", None, "Enter a number."),
        ("gpu", True, None, "Enter a number."),
        ("ratio", "0.25", 0.25, None),
        ("consent", "4", 4, None),
        ("consent", 6, None, "Out of range: enter a number between 1 and 5."),
        ("rank", [83, 81, 82], [83, 81, 82], None),
        ("rank", [81], None, "Rank all 3 options."),
        ("top", [94], [94], None),
        ("top", [91, 92, 93], None, "Rank at most 2 options."),
        ("captions", {"111": "103"}, {"111": 103}, None),
        ("captions", {"999": 101}, None, "A row is not part of this question."),
        ("captions", [101], None, "Answer with one choice per row."),
        ("comment", "x" * 10_001, None, "Too long: at most 10000 characters."),
    ],
)
def test_each_kind_checks_its_answers(key, value, clean, error):
    spec = BY_KEY[key]
    assert kinds.of(spec).clean(spec, value) == (clean, error)


def _form(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_each_kind_reads_its_form_fields():
    rank, captions, tools = BY_KEY["rank"], BY_KEY["captions"], BY_KEY["tools"]
    ranking = kinds.of(rank)
    assert ranking.read_form(rank, _form(q8_o81="2", q8_o82="1", q8_o83="3"), "q8") == [82, 81, 83]
    assert ranking.read_form(rank, _form(), "q8") is None
    with pytest.raises(kinds.FormValueError, match="different rank"):
        ranking.read_form(rank, _form(q8_o81="1", q8_o82="1"), "q8")
    with pytest.raises(kinds.FormValueError, match="from the list"):
        ranking.read_form(rank, _form(q8_o81="first"), "q8")
    matrix = kinds.of(captions)
    assert matrix.read_form(captions, _form(q10_r111="102"), "q10") == {"111": "102"}
    assert kinds.of(tools).read_form(tools, _form(q2=["21", "23"]), "q2") == ["21", "23"]
    assert kinds.of("number").read_form(BY_KEY["gpu"], _form(q5="8"), "q5") == "8"


def test_each_kind_says_its_export_columns_and_cells():
    captions, tools, rank, comment = (BY_KEY[k] for k in ("captions", "tools", "rank", "comment"))
    assert kinds.of(captions).columns(captions) == [
        ("captions.tags", 111),
        ("captions.sentences", 112),
    ]
    assert kinds.of(captions).encode(captions, {"112": 103}, 112) == "good"
    assert kinds.of(tools).encode(tools, [21, 23], None) == "comfy;diff"
    assert kinds.of(rank).encode(rank, [82, 81, 83], None) == "quality>speed>licence"
    assert kinds.of(comment).encode(comment, "=HYPERLINK(1)", None) == "'=HYPERLINK(1)"
    assert kinds.of(rank).encoding == "option keys in rank order separated by '>'"
    assert kinds.of(tools).codes(tools) == "comfy = ComfyUI; invoke = Invoke; diff = diffusers"


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("single_choice", 11, [True, "11", [11], None]),
        ("multiple_choice", [21], [21, ["21"], {"a": 1}]),
        ("ranking", [81, 82], ["81", [True]]),
        ("matrix", {"111": 101}, [[101], {"111": "101"}]),
        ("number", 12.5, [10**400, -(10**15), 1e300, True, "12"]),
        ("scale", 3, [10**400, "3"]),
        ("short_text", "ok", [3, ["ok"]]),
    ],
)
def test_a_kind_counts_only_what_it_can_read(kind, good, bad):
    assert kinds.of(kind).readable(good)
    assert not any(kinds.of(kind).readable(value) for value in bad)


def test_charts_follow_the_kind():
    matrix_question = {
        "id": 10,
        "prompt": "Captions",
        "answered": 3,
        "options": [{"id": 101, "label": "Bad"}],
        "rows": [
            {"id": 111, "label": "Tags", "options": [{"label": "Bad", "count": 3}], "answered": 3}
        ],
    }
    charts = kinds.of("matrix").charts(matrix_question, 5)
    assert [c["id"] for c in charts] == ["chart-10-111"] and charts[0]["title"] == "Captions: Tags"
    assert kinds.of("matrix").charts({**matrix_question, "rows": []}, 5) == []
    single = {"id": 1, "prompt": "Role", "answered": 3, "options": [{"label": "A", "count": 3}]}
    assert [c["id"] for c in kinds.of("single_choice").charts(single, 5)] == ["chart-1"]
    assert kinds.of("single_choice").charts({**single, "options": []}, 5) == []


def test_a_condition_on_each_kind():
    single = {"key": "role", "kind": "single_choice", "options": [{"key": "artist"}]}
    assert kinds.of(single).condition_problems({"op": "equals", "value": "artist"}, single) == []
    assert (
        "not an option key"
        in kinds.of(single).condition_problems({"op": "equals", "value": "x"}, single)[0]
    )
    scale = {"key": "consent", "kind": "scale", "options": []}
    assert kinds.of(scale).condition_problems({"op": "at_least", "value": 4}, scale) == []
    assert kinds.of(scale).condition_problems({"op": "at_least", "value": "4"}, scale) == [
        "show_if: the value must be a number."
    ]
    text = {"key": "t", "kind": "long_text", "options": []}
    assert kinds.of(text).condition_problems({"op": "equals", "value": 1}, text) == [
        "show_if: 'equals' does not apply to a long_text question."
    ]


def test_scale_definitions_are_normalised_and_bounded():
    c = {}
    assert kinds.of("scale").normalise(c) == [] and c == {"min": 1, "max": 5}
    c = {"min": 1, "max": 20}
    assert "2 to 11 points" in kinds.of("scale").normalise(c)[0]
    c = {"min": float("inf"), "max": 5}
    assert kinds.of("scale").normalise(c) == [kinds.numeric.TOO_LARGE]


def test_a_spec_without_a_database():
    spec = QuestionSpec(id=1, key="k", kind="number", prompt="?", required=False, section_id=1)
    assert kinds.of(spec).clean(spec, "3") == (3, None)
