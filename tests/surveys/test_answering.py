"""The answer pages' state machine (surveys/answering.py), called directly: no request, no
database."""

from types import SimpleNamespace

from django.http import QueryDict

from surveys import answering
from surveys.answering import Action, Moved, Ready, Shown
from surveys.answers import QuestionSpec

SECTIONS = [SimpleNamespace(pk=pk, title=f"S{pk}", description="") for pk in (1, 2, 3, 4)]
ROLE = QuestionSpec(
    id=1,
    key="role",
    kind="single_choice",
    prompt="Role",
    required=True,
    section_id=1,
    options=((11, "artist", "Artist"), (12, "dev", "Developer")),
)
LANG = QuestionSpec(
    id=2,
    key="lang",
    kind="short_text",
    prompt="Language",
    required=False,
    section_id=1,
    show_if={"question": 1, "op": "equals", "value": 12},
)
CONSENT = QuestionSpec(
    id=3,
    key="consent",
    kind="scale",
    prompt="Consent",
    required=True,
    section_id=2,
    constraints={"min": 1, "max": 5},
)
RANK = QuestionSpec(
    id=4,
    key="rank",
    kind="ranking",
    prompt="Rank",
    required=False,
    section_id=2,
    options=((41, "a", "A"), (42, "b", "B")),
)
WHY = QuestionSpec(
    id=5,
    key="why",
    kind="long_text",
    prompt="Why?",
    required=True,
    section_id=3,
    show_if={"question": 3, "op": "at_least", "value": 4},
)
SPECS = [ROLE, LANG, CONSENT, RANK, WHY]  # section 4 has no question


def _start(answers=None, page=0):
    return answering.start(sections=SECTIONS, specs=SPECS, answers=answers or {}, page=page)


def _post(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data[name] = value
    return data


def test_pages_skip_empty_sections_and_those_hidden_by_an_answer():
    progress = _start()
    assert [p.section.pk for p in progress.pages] == [1, 2]  # "why" hidden, section 4 empty
    progress = _start({3: 5})
    assert [p.section.pk for p in progress.pages] == [1, 2, 3]
    assert [p.section.pk for p in answering.all_pages(SECTIONS, SPECS)] == [1, 2, 3]
    assert answering.start(sections=SECTIONS[3:], specs=SPECS, answers={}, page=0) is None


def test_the_requested_page_is_clamped():
    assert _start(page=7).index == 1
    assert _start(page=-3).index == 0
    assert _start(page="two").index == 0
    assert _start(page="1").index == 1


def test_next_with_an_error_stays_and_keeps_what_was_typed():
    outcome = answering.post(_start(), _post(q2="Rust"), Action.NEXT)
    assert isinstance(outcome, Shown)
    assert outcome.errors == {"1": ["This question is required."]}
    assert outcome.answers == {}  # "lang" is hidden (role not chosen): not kept


def test_next_goes_on_with_the_clean_answers():
    progress = _start()
    outcome = answering.post(progress, _post(q1="12", q2=" Rust "), Action.NEXT)
    assert outcome == Moved(1, {1: 12, 2: "Rust"})


def test_back_checks_nothing():
    progress = _start({1: 12}, page=1)
    outcome = answering.post(progress, _post(q3="9"), Action.BACK)
    assert outcome == Moved(0, {1: 12, 3: "9"})  # the wrong value is kept to be fixed


def test_submit_on_the_last_page_is_ready():
    progress = _start({1: 11}, page=1)
    outcome = answering.post(progress, _post(q3="3", q4_o41="2", q4_o42="1"), Action.SUBMIT)
    assert outcome == Ready({1: 11, 3: 3, 4: [42, 41]})


def test_submit_before_the_last_page_is_next():
    progress = _start({1: 11}, page=1)
    outcome = answering.post(progress, _post(q3="4", q4_o41="2", q4_o42="1"), Action.SUBMIT)
    assert isinstance(outcome, Moved) and outcome.page == 2  # "why" is now shown
    assert answering.start(sections=SECTIONS, specs=SPECS, answers=outcome.answers, page=2).last


def test_fields_that_make_no_answer_are_errors_of_their_question():
    progress = _start({1: 11}, page=1)
    outcome = answering.post(progress, _post(q3="3", q4_o41="1", q4_o42="1"), Action.SUBMIT)
    assert outcome == Shown({"4": ["Give each option a different rank."]}, {1: 11, 3: 3})


def test_a_refusal_of_the_service_lands_on_each_page():
    progress = _start({1: 11}, page=1)
    shown = answering.refused(
        progress, {"1": ["This question is required."], "3": ["Out of range."]}, {3: 9}
    )
    assert shown.errors == {"3": ["Out of range."]}
    assert shown.elsewhere == [(0, ROLE, "This question is required.")]
    assert shown.answers == {3: 9}


def test_unknown_buttons_count_as_next():
    assert Action.of("submit") is Action.SUBMIT and Action.of(None) is Action.NEXT
    assert Action.of("delete-everything") is Action.NEXT


def test_blocks_hold_each_kind_s_widget():
    progress = _start({1: 12, 4: [42, 41]}, page=0)
    blocks = answering.blocks(progress, {"2": ["Too long."]})
    assert [b["spec"].key for b in blocks] == ["role", "lang"]  # same-page condition: rendered
    role, lang = blocks
    assert role["template"] == "surveys/kinds/choice.html" and role["selected"] == ["12"]
    assert role["input_type"] == "radio"
    assert lang["errors"] == ["Too long."] and lang["show_if"]
    rank = answering.block(RANK, [42, 41], [])
    assert rank["ranks"] == {"42": 1, "41": 2} and rank["rank_positions"] == [1, 2]
    assert answering.block(CONSENT, None, [], disabled=True)["points"] == [1, 2, 3, 4, 5]
