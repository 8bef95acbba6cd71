"""Counting is pure: plain specs and answer sets in, a results document out. None of these tests
touches the database (pytest-django would refuse the query), which is the point."""

import pytest

from config.errors import Invalid
from surveys import counting, kinds

from .golden.cases import SPECS, answer_sets

BY_KEY = {s.key: s for s in SPECS}
FRAME = counting.Frame(
    survey="pure", version=1, status="open", min_cell_size=5, show_free_text=True
)


def test_a_document_from_plain_data():
    sets = answer_sets(3, 40)
    doc = counting.document(FRAME, SPECS, sets, owner=False)
    assert doc["survey"] == "pure" and doc["responses"] == 40 and doc["response_rate"] is None
    role = next(q for q in doc["questions"] if q["key"] == "role")
    assert role["answered"] == 40
    owner = counting.document(FRAME, SPECS, sets, owner=True)
    counts = {o["id"]: o["count"] for o in owner["questions"][0]["options"]}
    assert counts == {o: sum(1 for a in sets if a[1] == o) for o in (11, 12, 13)}


def test_the_response_rate_comes_from_the_frame():
    frame = counting.Frame(
        survey="pure",
        version=1,
        status="open",
        min_cell_size=5,
        show_free_text=False,
        audience_size=200,
        roll_size=50,
    )
    assert counting.document(frame, SPECS, answer_sets(1, 10), owner=False)["response_rate"] == 25.0


def test_a_filter_is_checked_against_the_kinds():
    with pytest.raises(Invalid, match="single-choice or scale"):
        counting.document(FRAME, SPECS, answer_sets(3, 40), owner=True, filter_question=2)
    doc = counting.document(
        FRAME, SPECS, answer_sets(3, 40), owner=True, filter_question=7, filter_option=5
    )
    assert doc["filter"]["label"] == "5 (Yes)"


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("gpu", 10**400),
        ("gpu", -(10**400)),
        ("gpu", 1e300),
        ("gpu", "12"),
        ("hours", True),
        ("consent", 10**400),
        ("role", [11]),
        ("tools", 21),
        ("rank", {"81": 1}),
        ("captions", [101]),
        ("comment", 42),
    ],
)
def test_a_stored_value_its_kind_cannot_read_is_left_out(key, bad):
    sets = answer_sets(3, 40)
    spec = BY_KEY[key]
    good = counting.document(FRAME, SPECS, sets, owner=True)
    sets.append({**{1: 11, 7: 3}, spec.id: bad})  # one more response, its value unreadable
    doc = counting.document(FRAME, SPECS, sets, owner=True)
    assert doc["responses"] == 41
    before = next(q for q in good["questions"] if q["key"] == key)
    after = next(q for q in doc["questions"] if q["key"] == key)
    if key not in ("role", "consent"):  # the others answered the extra response's 1 and 7
        assert after["answered"] == before["answered"]
    counting.document(FRAME, SPECS, sets, owner=False)  # and the public view counts too


def test_number_bins_stay_finite_for_the_largest_accepted_numbers():
    gpu = BY_KEY["gpu"]
    top = kinds.LIMIT - 1
    raw = counting.aggregate([gpu], [{gpu.id: -top}, {gpu.id: top}, {gpu.id: 0.5}])[gpu.id]
    assert raw["answered"] == 3 and len(raw["bins"]) == 10
    assert sum(raw["counts"].values()) == 3
