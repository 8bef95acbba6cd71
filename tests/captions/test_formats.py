"""File formats and column names are known once, in the engine (captions.formats)."""

import pytest

from datasets_registry import files
from datasets_registry.captions import formats, ruleset
from datasets_registry.captions.formats import (
    COLUMN_CANDIDATES,
    detect_columns,
    detect_compression,
    detect_format,
    guess_from_name,
    sniff_text_format,
)


def test_the_upload_check_and_the_rule_set_use_the_engine_s_knowledge():
    assert files.FORMATS is formats.FORMATS and files.COMPRESSIONS is formats.COMPRESSIONS
    assert ruleset.ROLES is formats.ROLES
    assert not hasattr(files, "COLUMN_CANDIDATES") and not hasattr(files, "EXTENSIONS")
    assert not hasattr(ruleset, "write_schema_file")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("metadata.jsonl", ("jsonl", None)),
        ("a.NDJSON", ("jsonl", None)),
        ("a.json.gz", ("jsonl", "gzip")),
        ("dir/x.csv.gzip", ("csv", "gzip")),
        ("x.tab.zstd", ("tsv", "zstd")),
        ("x.tsv.zst", ("tsv", "zstd")),
        ("x.pq", ("parquet", None)),
        ("x.tar.gz", (None, "gzip")),
        ("captions", (None, None)),
        ("", (None, None)),
    ],
)
def test_guess_from_name(name, expected):
    assert guess_from_name(name) == expected


def test_detect_format_refuses_what_it_cannot_tell():
    assert detect_format("x.csv") == ("csv", "")
    with pytest.raises(ValueError, match=r"use \.jsonl, \.csv, \.tsv or \.parquet"):
        detect_format("x.txt")


def test_magic_bytes_and_sniffing():
    assert detect_compression(b"\x1f\x8b\x08\x00") == "gzip"
    assert detect_compression(b"\x28\xb5\x2f\xfd\x00") == "zstd"
    assert detect_compression(b"PAR1") == ""
    assert sniff_text_format(b'  {"text": "a"}\n') == "jsonl"
    assert sniff_text_format(b"url\tcaption\n") == "tsv"
    assert sniff_text_format(b"url,caption\n") == "csv"


def test_the_candidate_lists_are_the_union_of_both_former_lists():
    # The names the upload check knew and the engine did not are now found by both.
    assert detect_columns(["captions", "image_path", "rights"]) == {
        "caption": "captions",
        "image": "image_path",
        "license": "rights",
    }
    assert detect_columns(["prompt", "img_url", "spdx"]) == {
        "caption": "prompt",
        "image": "img_url",
        "license": "spdx",
    }
    assert detect_columns(["Caption", "FILENAME", "image_id"])["image"] == "image_id"
    for names in COLUMN_CANDIDATES.values():
        assert len(names) == len(set(names))


def test_preference_is_exact_spelling_first_then_any_case():
    assert detect_columns(["Text", "caption"])["caption"] == "caption"
    assert detect_columns(["Text", "prompt"])["caption"] == "prompt"
    assert detect_columns(["Text", "Prompt"])["caption"] == "Text"
    assert detect_columns(["text", "caption"])["caption"] == "text"
    # the engine's order is kept where the two lists disagreed: file before path
    assert detect_columns(["path", "file"])["image"] == "file"
    assert detect_columns(["x"], {"caption": "x", "image": None}) == {
        "caption": "x",
        "image": None,
        "license": None,
    }
