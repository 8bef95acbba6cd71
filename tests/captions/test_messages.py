"""The engine's messages and their templates (``captions.messages``): every message the engine
writes is built from a template, ``localize`` recognises it, and with a translation it gives the
translated template filled with the same values. Pure: no Django."""

from __future__ import annotations

import io
import json

import pytest

from bench.bench_captions import write_unique
from datasets_registry.captions import RULES, validate_file, validate_ruleset
from datasets_registry.captions.messages import TEMPLATES, WORDS, localize, match
from datasets_registry.captions.streams import UnreadableFile

from .helpers import COCO, row, write_jsonl


def identity(s: str) -> str:
    return s


def fake(s: str) -> str:
    """A "translation" that keeps every placeholder: the English template between « »."""
    return "«" + s + "»"


def _messages(path, rules=None) -> list[str]:
    out = io.BytesIO()
    validate_file(str(path), rules=rules, report=out)
    return [json.loads(line)["message"] for line in out.getvalue().splitlines()]


def _round_trips(messages: list[str]) -> None:
    assert messages
    unknown = sorted({m for m in messages if match(m) is None})
    assert unknown == []
    for m in set(messages):
        assert localize(m, identity) == m
        template, values = match(m)
        assert localize(m, fake) == "«" + template % values + "»"


def test_every_message_of_the_coco_run_has_a_template():
    _round_trips(_messages(COCO))


def test_every_message_of_the_bench_file_has_a_template(tmp_path):
    path = write_unique(20_000, tmp_path / "unique.jsonl")
    _round_trips(_messages(path, {"allowed_languages": ["en"], "banned_terms": ["dog"]}))


def test_every_rule_of_a_bad_file_has_a_template(tmp_path):
    rows = [
        row("A dog runs on the beach near the water."),
        row(None),
        row(7),
        row(""),
        row("short"),
        row("word " * 300),
        row("  leading and trailing  whitespace in a caption "),
        row("A line\nbreak inside the caption, long enough."),
        row("Invisible \x07 control characters in this caption."),
        row("CafÃ© garbled text in this caption here."),
        row("See https://example.com for the picture of a cat."),
        row("Write to someone@example.com about this image."),
        row("Call +1 555 123 4567 about this image please."),
        row("A <b>bold</b> caption with some markup in it."),
        row("untitled"),
        row("A caption with a badword inside it, long enough."),
        row("the the the the the dog sat on the mat today."),
        row("Un chien court sur la plage près de l'eau ce matin."),
        row("A dog runs on the beach near the water."),
        row("a dog RUNS on the beach, near the water!"),
        row("A fine caption with a bad image reference.", image="not an image"),
        row("A fine caption without any image reference.", image=None),
        row("A fine caption with an image that is a number.", image=3),
        row("A fine caption with no licence in the row.", license=""),
        row("A fine caption with a licence that is not valid.", license="Not a licence"),
        row("A fine caption with a licence that is not allowed.", license="MIT"),
        row("word " * 80),
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with path.open("ab") as fp:
        fp.write(b"not json at all\n[1, 2]\n\xff\xfe broken bytes\n")
    rules = {
        "allowed_languages": ["en"],
        "banned_terms": ["badword"],
        "allowed_licenses": ["CC-BY-4.0"],
        "rules": {"duplicate_image": {"enabled": True}},
        "required_columns": ["caption", "image", "license"],
    }
    messages = _messages(path, rules)
    seen = {match(m)[0] for m in messages if match(m)}
    assert len(seen) >= 25
    _round_trips(messages)
    # A file without the columns, and an empty one.
    other = write_jsonl(tmp_path / "other.jsonl", [{"x": "y"}])
    _round_trips(_messages(other, {"required_columns": ["caption", "image"]}))
    named = _messages(other, {"columns": {"caption": "missing"}})
    _round_trips(named)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    _round_trips(_messages(empty))


def test_a_csv_file_and_an_unreadable_one(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"text,file_name\nA dog runs on the beach by the sea.,a.jpg\nonly one field\n")
    _round_trips(_messages(path))
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(UnreadableFile) as exc:
        validate_file(str(broken))
    _round_trips([str(exc.value)])


def test_rule_set_messages_have_templates():
    errors = validate_ruleset(
        {
            "rules": {
                "caption_too_short": {"min_chars": 500},
                "caption_too_long": {"max_chars": 100},
                "unreadable_row": {"enabled": False},
            },
            "allowed_licenses": ["not a licence"],
            "banned_terms": [" "],
        }
    )
    _round_trips([m for ms in errors.values() for m in ms])


def test_a_translation_is_filled_with_the_values():
    message = "The caption is 93 CLIP tokens long; the limit is 77."
    translations = {
        "The caption is %(count)s CLIP tokens long; the limit is %(limit)s.": (
            "La didascalia è lunga %(count)s token CLIP; il limite è %(limit)s."
        )
    }
    assert localize(message, lambda s: translations.get(s, s)) == (
        "La didascalia è lunga 93 token CLIP; il limite è 77."
    )
    # Words among the values are translated too; a translation that lost a placeholder, or a
    # message no template knows, comes back in English.
    found = "No caption column: expected one of text, caption (or name it in the column mapping); columns found: none."
    assert "«none»" in localize(found, fake)
    assert localize(message, lambda s: "%(nope)s") == message
    assert localize("Something the engine never says.", fake) == "Something the engine never says."


def test_templates_are_unique_and_the_rules_are_marked():
    assert len(set(TEMPLATES)) == len(TEMPLATES)
    assert not set(WORDS) & set(TEMPLATES)
    for spec in RULES.values():
        assert spec["title"] and spec["explanation"]
