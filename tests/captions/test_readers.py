"""Readers and the bad inputs listed in the issue."""

import csv
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from datasets_registry.captions import (
    Limits,
    UnreadableFile,
    detect_columns,
    detect_format,
    inspect_file,
    validate_file,
)

from .helpers import flagged, row, write_jsonl

GOOD = "A giraffe stands alone outdoors at the zoo."


def test_detect_format():
    assert detect_format("metadata.jsonl") == ("jsonl", "")
    assert detect_format("x/data.CSV.gz") == ("csv", "gzip")
    assert detect_format("d.tsv.zst") == ("tsv", "zstd")
    assert detect_format("part-0.parquet") == ("parquet", "")
    with pytest.raises(ValueError, match="Cannot tell the format"):
        detect_format("notes.txt")


def test_detect_columns_from_common_names_or_given():
    assert detect_columns(["file_name", "text", "license"]) == {
        "caption": "text",
        "image": "file_name",
        "license": "license",
    }
    assert detect_columns(["URL", "TEXT", "LICENSE"]) == {
        "caption": "TEXT",
        "image": "URL",
        "license": "LICENSE",
    }
    assert detect_columns(["url", "caption"]) == {
        "caption": "caption",
        "image": "url",
        "license": None,
    }
    assert detect_columns(["Caption", "Image"]) == {
        "caption": "Caption",
        "image": "Image",
        "license": None,
    }
    assert detect_columns(["a", "b"], {"caption": "b"}) == {
        "caption": "b",
        "image": None,
        "license": None,
    }


def _rows(n=5):
    return [row(f"{GOOD} Number {i}.", image=f"img/{i}.jpg") for i in range(n)]


def _write(tmp_path, fmt, compression="", rows=None):
    rows = rows or _rows()
    if fmt == "jsonl":
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    elif fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter="\t" if fmt == "tsv" else ",")
        w.writeheader()
        w.writerows(rows)
        data = buf.getvalue().encode()
    else:
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows), sink, row_group_size=2)
        data = sink.getvalue()
    if compression == "gzip":
        data = gzip.compress(data)
    elif compression == "zstd":
        data = zstandard.ZstdCompressor().compress(data)
    suffix = {"": "", "gzip": ".gz", "zstd": ".zst"}[compression]
    path = tmp_path / f"captions.{fmt}{suffix}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "parquet"])
@pytest.mark.parametrize("compression", ["", "gzip", "zstd"])
def test_every_format_and_compression_reads_the_same(tmp_path, fmt, compression):
    rows = _rows()
    rows[3]["text"] = "Lorem ipsum dolor sit amet, consectetur."
    path = _write(tmp_path, fmt, compression, rows)
    result = validate_file(str(path), collect=True)
    assert (result.format, result.compression) == (fmt, compression)
    assert result.rows == 5
    assert [(i["row"], i["rule"]) for i in result.issues] == [(4, "placeholder_caption")]
    info = inspect_file(str(path), fmt, compression)
    assert info["row_count"] == 5
    assert info["mapping"] == {"caption": "text", "image": "file_name", "license": "license"}


def test_unparsable_jsonl_rows_are_reported_with_their_row_number(tmp_path):
    path = tmp_path / "c.jsonl"
    lines = [
        json.dumps(row(GOOD)),
        "{not json",
        "",
        '["a list"]',
        json.dumps(row(GOOD + " Again.")),
    ]
    path.write_text("\n".join(lines) + "\n")
    result = validate_file(str(path), collect=True)
    assert [(i["row"], i["rule"]) for i in result.issues] == [
        (2, "unreadable_row"),
        (4, "unreadable_row"),
    ]
    assert result.has_errors


def test_mixed_encodings_and_nul_bytes(tmp_path):
    path = tmp_path / "c.jsonl"
    good = json.dumps(row(GOOD)).encode()
    latin1 = json.dumps(row("Un café"), ensure_ascii=False).encode("latin-1")
    raw_nul = good.replace(b"giraffe", b"gir\x00affe")
    escaped_nul = json.dumps(row("A dog\u0000 on a sofa."), ensure_ascii=True).encode()
    path.write_bytes(
        b"\n".join([good, latin1, raw_nul, escaped_nul, good.replace(b"zoo", b"park")]) + b"\n"
    )
    result = validate_file(str(path), collect=True)
    assert [(i["row"], i["rule"]) for i in result.issues] == [
        (2, "invalid_utf8"),
        (3, "unreadable_row"),
        (4, "control_characters"),
    ]


def test_csv_bad_rows_encodings_nul_and_quoted_newlines(tmp_path):
    path = tmp_path / "c.csv"
    body = (
        b"file_name,text,license\n"
        b'a.jpg,"A dog on a sofa, sleeping.",MIT\n'
        b'b.jpg,"A caption with a\nline break inside.",MIT\n'
        b"c.jpg,too,many,fields\n"
    )
    body += "d.jpg,Un caf\xe9 en terrasse,MIT\n".encode("latin-1")
    body += b"e.jpg,A dog\x00 on a sofa,MIT\n"
    body += b"f.jpg,A cat sleeping on a warm laptop.,MIT\n"
    path.write_bytes(body)
    result = validate_file(str(path), collect=True)
    assert [(i["row"], i["rule"]) for i in result.issues] == [
        (2, "embedded_newline"),
        (3, "unreadable_row"),
        (4, "invalid_utf8"),
        (5, "control_characters"),
    ]
    assert result.rows == 6


def test_empty_file_and_header_only_csv(tmp_path):
    for name, content in (
        ("e.jsonl", b""),
        ("e.csv", b""),
        ("h.csv", b"file_name,text\n"),
        ("blank.jsonl", b"\n\n"),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        result = validate_file(str(path), collect=True)
        assert [(i["row"], i["rule"]) for i in result.issues] == [(0, "empty_file")], name
        assert result.has_errors
    empty_parquet = tmp_path / "e.parquet"
    empty_parquet.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="empty"):
        validate_file(str(empty_parquet))


def test_missing_columns_name_found_and_expected(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"img": "a.jpg", "words": GOOD}])
    result = validate_file(str(path), collect=True)
    issue = result.issues[0]
    assert issue["rule"] == "missing_column" and issue["row"] == 0
    assert "expected one of text, caption" in issue["message"]
    assert "columns found: img, words" in issue["message"]
    result = validate_file(str(path), mapping={"caption": "nope"}, collect=True)
    assert "'nope' is not in the file; columns found: img, words" in result.issues[0]["message"]
    result = validate_file(str(path), mapping={"caption": "words"}, collect=True)
    assert result.issues == []


def test_required_image_column(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"text": GOOD}])
    assert validate_file(str(path)).issues is None
    result = validate_file(
        str(path), rules={"required_columns": ["caption", "image"]}, collect=True
    )
    assert [i["rule"] for i in result.issues] == ["missing_column"]
    assert "No image column" in result.issues[0]["message"]


def test_a_line_over_16_mb_is_reported_and_skipped(tmp_path):
    path = tmp_path / "c.jsonl"
    with path.open("wb") as fp:
        fp.write((json.dumps(row(GOOD)) + "\n").encode())
        fp.write(b'{"text": "' + b"a" * (17 * 1024 * 1024) + b'"}\n')
        fp.write((json.dumps(row(GOOD + " Again.")) + "\n").encode())
    result = validate_file(str(path), collect=True)
    assert [(i["row"], i["rule"]) for i in result.issues] == [(2, "line_too_long")]
    assert result.rows == 3


def test_a_gzip_bomb_fails_clearly(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as fp:
        line = (json.dumps(row(GOOD)) + "\n").encode() * 1000
        for _ in range(200):  # ~20 MB inflated, ~100 KB on disk
            fp.write(line)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(UnreadableFile, match="decompressed-size limit"):
        validate_file(str(path), limits=Limits(max_decompressed_bytes=5 * 1024 * 1024))


def test_corrupt_gzip_and_truncated_parquet(tmp_path):
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress((json.dumps(row(GOOD)) + "\n").encode() * 5000)[:-300])
    with pytest.raises(UnreadableFile, match="corrupt or truncated"):
        validate_file(str(gz))
    full = _write(tmp_path, "parquet")
    truncated = tmp_path / "t.parquet"
    truncated.write_bytes(full.read_bytes()[:-100])
    with pytest.raises(UnreadableFile, match="Parquet"):
        validate_file(str(truncated))


def test_parquet_non_string_caption_and_row_groups(tmp_path):
    table = pa.table(
        {"text": pa.array([1, 2, None], pa.int64()), "file_name": ["a.jpg", "b.jpg", "c.jpg"]}
    )
    path = tmp_path / "n.parquet"
    pq.write_table(table, path, row_group_size=1)
    result = validate_file(str(path), collect=True)
    assert [(i["row"], i["message"]) for i in result.issues] == [
        (1, "The caption is a int64, not text."),
        (2, "The caption is a int64, not text."),
        (3, "The row has no caption."),
    ]


def test_batches_are_bounded(tmp_path):
    from datasets_registry.captions.readers import iter_batches

    path = write_jsonl(tmp_path / "c.jsonl", [row(f"{GOOD} {i}") for i in range(3000)])
    limits = Limits(block_bytes=64 * 1024)
    sizes = [
        len(b) for b in iter_batches(str(path), "jsonl", "", {"caption": "text"}, limits=limits)
    ]
    assert sum(sizes) == 3000 and max(sizes) < 1000
    result = validate_file(str(path), limits=limits)
    assert result.rows == 3000
    assert flagged(validate_file(str(path), limits=limits, collect=True), "duplicate_caption") == []


def test_the_rule_set_can_tighten_the_line_limit(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD), row("x" * 5000), row(GOOD + " Again.")])
    rules = {"rules": {"line_too_long": {"max_bytes": 2048}}}
    result = validate_file(str(path), rules=rules, limits=Limits(block_bytes=1024), collect=True)
    assert [(i["row"], i["rule"]) for i in result.issues] == [(2, "line_too_long")]
