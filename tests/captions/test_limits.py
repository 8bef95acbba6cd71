"""The engine's limits and its hostile inputs (issue 10 items 10, 12 and 13), on the engine alone."""

import gzip
import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datasets_registry.captions import (
    InputError,
    Limits,
    UnreadableFile,
    inspect_file,
    plan_chunks,
    validate_file,
)
from datasets_registry.captions import rules as rules_module
from datasets_registry.captions.streams import open_stream

from .helpers import row, write_jsonl

GOOD = "A giraffe stands alone outdoors at the zoo."
MIB = 1024 * 1024


def gzip_bomb(path, inflated_mib: int = 64):
    """A gzip file of ``inflated_mib`` MiB of one repeated JSON line, some tens of KB on disk."""
    line = (json.dumps(row(GOOD)) + "\n").encode()
    block = line * (MIB // len(line))
    with gzip.open(path, "wb", compresslevel=9) as fp:
        for _ in range(inflated_mib):
            fp.write(block)
    return path


def test_a_gzip_bomb_is_refused_at_the_expansion_ratio_while_it_inflates(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz")
    assert bomb.stat().st_size < 400_000  # ~64 MiB inflated: a ratio of several hundred
    with pytest.raises(UnreadableFile, match="expansion-ratio limit") as caught:
        validate_file(str(bomb))
    assert "more than 100 times its compressed size" in str(caught.value)
    # Refused soon past the 16 MiB the ratio allows (gzip reads its input ahead by 128 KiB),
    # not after inflating all 64 MiB.
    inflated = int(re.search(r"\(([\d,]+) bytes", str(caught.value)).group(1).replace(",", ""))
    assert 16 * MIB < inflated < 32 * MIB
    with pytest.raises(UnreadableFile, match="expansion-ratio limit"):
        inspect_file(str(bomb), "jsonl", "gzip")


def test_the_expansion_ratio_is_a_limit_that_can_be_raised_or_lifted(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz", inflated_mib=20)
    result = validate_file(str(bomb), limits=Limits(max_expansion_ratio=0))
    assert result.rows > 150_000
    # A small file that inflates a thousandfold is no threat: the ratio counts past 16 MiB only.
    small = gzip_bomb(tmp_path / "small.jsonl.gz", inflated_mib=8)
    assert validate_file(str(small)).rows > 70_000


def test_the_decompressed_stream_is_counted_against_the_compressed_bytes_read(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz", inflated_mib=40)
    limits = Limits(max_expansion_ratio=100_000)  # this file's ratio is far below that
    with open_stream(str(bomb), "gzip", limits) as fp:
        assert sum(len(b) for b in iter(lambda: fp.read(MIB), b"")) == 40 * (
            MIB // len((json.dumps(row(GOOD)) + "\n").encode())
        ) * len((json.dumps(row(GOOD)) + "\n").encode())


def test_the_row_count_is_capped_in_every_reader_and_in_planning(tmp_path):
    rows = [row(f"{GOOD} {i}", image=f"{i}.jpg") for i in range(1500)]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    limits = Limits(max_rows=1000)
    message = "more than 1,000 rows, the row-count limit"
    with pytest.raises(UnreadableFile, match=message):
        validate_file(str(path), limits=limits)
    with pytest.raises(UnreadableFile, match=message):
        plan_chunks(str(path), "jsonl", "", target_bytes=20_000, limits=limits)
    with pytest.raises(UnreadableFile, match=message):
        inspect_file(str(path), "jsonl", "", limits=limits)
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(UnreadableFile, match=message):
        validate_file(str(gz), limits=limits)
    with pytest.raises(UnreadableFile, match=message):
        inspect_file(str(gz), "jsonl", "gzip", limits=limits)
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("text,file_name\n" + "".join(f"{GOOD} {i},{i}.jpg\n" for i in range(1500)))
    with pytest.raises(UnreadableFile, match=message):
        validate_file(str(csv_path), limits=limits)
    parquet = tmp_path / "c.parquet"
    pq.write_table(pa.table({"text": [r["text"] for r in rows]}), parquet, row_group_size=500)
    with pytest.raises(UnreadableFile, match=message):
        validate_file(str(parquet), limits=limits)
    with pytest.raises(UnreadableFile, match=message):
        plan_chunks(str(parquet), "parquet", "", limits=limits)
    assert validate_file(str(path), limits=Limits(max_rows=1500)).rows == 1500


def test_the_upload_count_stops_at_its_budget_and_leaves_the_count_to_validation(tmp_path):
    rows = [row(f"{GOOD} {i}", image=f"{i}.jpg") for i in range(3000)]
    plain = write_jsonl(tmp_path / "c.jsonl", rows)
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("text,file_name\n" + "".join(f"{GOOD} {i},{i}.jpg\n" for i in range(3000)))
    budget, limits = 10_000, Limits(block_bytes=4096)
    # A plain JSON Lines file is counted whatever its size: a newline count is cheap.
    assert (
        inspect_file(str(plain), "jsonl", "", limits=limits, count_bytes=budget)["row_count"]
        == 3000
    )
    assert (
        inspect_file(str(gz), "jsonl", "gzip", limits=limits, count_bytes=budget)["row_count"]
        is None
    )
    assert inspect_file(str(gz), "jsonl", "gzip", limits=limits)["row_count"] == 3000
    found = inspect_file(str(csv_path), "csv", "", count_bytes=budget)
    assert found["row_count"] is None and found["mapping"]["caption"] == "text"
    assert inspect_file(str(csv_path), "csv", "")["row_count"] == 3000


def test_the_fast_row_count_skips_blank_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(row(f"{GOOD} {i}")) for i in range(50)) + "\n\n  \n")
    assert inspect_file(str(path), "jsonl", "")["row_count"] == 50


def test_invalid_utf8_on_later_lines_is_an_issue_of_each_row(tmp_path):
    path = tmp_path / "latin1.jsonl"
    lines = [json.dumps(row(f"{GOOD} Number {i}.", image=f"{i}.jpg")).encode() for i in range(200)]
    lines[150] = '{"text": "Un café au lait sur une table.", "file_name": "x.jpg"}'.encode(
        "latin-1"
    )
    lines[180] = '{"text": "Crème brûlée in a bowl.", "file_name": "y.jpg"}'.encode("latin-1")
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = validate_file(str(path), collect=True)
    assert [(i["row"], i["rule"]) for i in result.issues] == [
        (151, "invalid_utf8"),
        (181, "invalid_utf8"),
    ]
    assert result.issues[0]["message"] == "Byte 16 is not valid UTF-8."
    assert result.rows == 200
    # The rows around them were checked as usual (a duplicate after the bad row is found).
    lines[190] = lines[3]
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = validate_file(str(path), collect=True)
    assert (191, "duplicate_caption") in [(i["row"], i["rule"]) for i in result.issues]


def test_invalid_utf8_in_a_parquet_string_column_is_an_issue_of_its_row(tmp_path):
    good = GOOD.encode()
    bad = "Un café".encode("latin-1")
    data = good + bad + good
    offsets = pa.py_buffer(
        pa.array([0, len(good), len(good) + len(bad), len(data)], pa.int32()).buffers()[1]
    )
    text = pa.Array.from_buffers(pa.string(), 3, [None, offsets, pa.py_buffer(data)])
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"text": text, "file_name": ["a.jpg", "b.jpg", "c.jpg"]}), path)
    result = validate_file(str(path), collect=True)
    assert (2, "invalid_utf8") in [(i["row"], i["rule"]) for i in result.issues]
    assert result.rows == 3


def test_a_row_that_breaks_the_engine_is_an_input_error_with_its_rows(tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "c.jsonl", [row(f"{GOOD} {i}") for i in range(10)])

    def boom(self, batch, result):
        raise pa.ArrowInvalid("Invalid UTF8 sequence in input")

    monkeypatch.setattr(rules_module.RuleEngine, "evaluate", boom)
    with pytest.raises(InputError, match="Rows 1 to 10 cannot be checked: Invalid UTF8") as caught:
        validate_file(str(path))
    assert caught.value.row == 1
    assert isinstance(caught.value, UnreadableFile)  # never retried by the pipeline


def test_a_line_too_long_says_which_line_and_the_limit(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD), row("x" * 5000), row(GOOD + " Again.")])
    rules = {"rules": {"line_too_long": {"max_bytes": 2048}}}
    result = validate_file(str(path), rules=rules, limits=Limits(block_bytes=1024), collect=True)
    assert [i["message"] for i in result.issues] == ["Line 2 is longer than 2 KiB and was skipped."]


def test_a_single_line_over_16_mib(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_bytes(b'{"text": "' + b"a" * (17 * MIB) + b'"}')
    result = validate_file(str(path), collect=True)
    assert (1, "line_too_long", "Line 1 is longer than 16 MiB and was skipped.") in [
        (i["row"], i["rule"], i["message"]) for i in result.issues
    ]
