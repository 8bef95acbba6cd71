"""Chunk planning, chunk validation and merging give the same answer as one pass."""

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datasets_registry.captions import (
    ChunkResult,
    Limits,
    merge_chunks,
    merged_issues,
    plan_chunks,
    resolve_mapping,
    resolve_ruleset,
    validate_chunk,
    validate_file,
)
from datasets_registry.captions import merge as merge_module
from datasets_registry.captions.readers import iter_rows_of
from datasets_registry.captions.report import iter_jsonl
from datasets_registry.captions.row_values import RowValues, Segment

from .helpers import COCO, row, write_jsonl


def _chunked(path, fmt, target_bytes=None, target_rows=None):
    eff = resolve_ruleset(None)
    kwargs = {}
    if target_bytes:
        kwargs["target_bytes"] = target_bytes
    if target_rows:
        kwargs["target_rows"] = target_rows
    specs = plan_chunks(str(path), fmt, "", **kwargs)
    columns = (
        json.loads(path.open().readline()).keys()
        if fmt == "jsonl"
        else pq.ParquetFile(path).schema_arrow.names
    )
    mapping, file_issues = resolve_mapping(list(columns), None, eff)
    results, streams = [], []
    for spec in json.loads(json.dumps(specs)):  # specs survive a JSON round trip (task arguments)
        out = io.BytesIO()
        res = validate_chunk(str(path), fmt, "", spec, ruleset=eff, mapping=mapping, issues_out=out)
        # hashes survive their storage format
        res = ChunkResult(
            index=res.index, rows=res.rows, last_row=res.last_row, counts=res.counts,
            hashes=ChunkResult.hashes_from_bytes(res.hashes_to_bytes()),
        )  # fmt: skip
        results.append(res)
        out.seek(0)
        streams.append(iter_jsonl(out))
    merge = merge_chunks(results, ruleset=eff, file_issues=file_issues)
    # Read back chunk by chunk, as the pipeline's finaliser does.
    values = RowValues(
        [
            Segment(
                spec["first_row"],
                res.last_row,
                lambda wanted, spec=spec: iter_rows_of(
                    str(path), fmt, "", mapping, wanted, spec=spec
                ),
            )
            for spec, res in zip(specs, results, strict=True)
        ]
    )
    return specs, merge, list(merged_issues(merge, streams, values))


def test_jsonl_byte_ranges_align_to_line_ends_and_duplicates_cross_chunks(tmp_path):
    rows = [row(f"A dog number {i} sleeps on a red sofa.", image=f"{i}.jpg") for i in range(2000)]
    rows[1500]["text"] = rows[3]["text"]  # exact duplicate far from the first
    rows[1900]["text"] = rows[4]["text"].upper() + "!"  # normalised duplicate
    rows[1000]["text"] = "  untidy   caption of a dog on a sofa "
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    specs, merge, issues = _chunked(path, "jsonl", target_bytes=20_000)
    assert len(specs) > 5
    data = path.read_bytes()
    for spec in specs:
        assert spec["start"] == 0 or data[spec["start"] - 1 : spec["start"]] == b"\n"
    assert sum(s["rows"] for s in specs) == 2000
    whole = validate_file(str(path), collect=True)
    assert merge.counts == whole.counts
    assert issues == whole.issues
    assert ("duplicate_caption", 1501, "The same caption appears in row 4.") in [
        (i["rule"], i["row"], i["message"]) for i in issues
    ]
    assert [i["row"] for i in issues if i["rule"] == "near_duplicate_caption"] == [1901]


def test_parquet_chunks_are_runs_of_row_groups(tmp_path):
    rows = [row(f"A cat number {i} naps in the sun.", image=f"{i}.jpg") for i in range(100)]
    rows[90]["text"] = rows[1]["text"]
    path = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=10)
    specs, _merge, issues = _chunked(path, "parquet", target_rows=25)
    assert [s["row_groups"] for s in specs] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    assert [s["first_row"] for s in specs] == [1, 21, 41, 61, 81]
    assert [(i["row"], i["rule"]) for i in issues] == [(91, "duplicate_caption")]


def test_compressed_and_csv_files_are_one_chunk(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("text\nA dog.\n")
    assert plan_chunks(str(path), "csv", "") == [{"index": 0, "kind": "whole", "first_row": 1}]
    assert plan_chunks(str(path), "jsonl", "gzip") == [
        {"index": 0, "kind": "whole", "first_row": 1}
    ]


def test_report_is_sorted_by_row(tmp_path):
    rows = [row("A dog on a sofa. ") for _ in range(3)] + [row("image")]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    out = io.BytesIO()
    validate_file(str(path), report=out)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["row"] for x in lines] == sorted(x["row"] for x in lines)
    base = ("message", "row", "rule", "severity", "value")
    assert {tuple(sorted(x)) for x in lines if not x["rule"].endswith("duplicate_caption")} == {
        base
    }
    # a duplicate shows the caption it repeats and points at its first occurrence
    duplicates = [x for x in lines if x["rule"] == "duplicate_caption"]
    assert [(x["row"], x["first_row"], x["value"]) for x in duplicates] == [
        (2, 1, "A dog on a sofa. "),
        (3, 1, "A dog on a sofa. "),
    ]


@pytest.mark.parametrize("block_bytes", [1 << 23, 300, 7])
def test_the_report_merged_by_blocks_is_the_line_by_line_merge(tmp_path, monkeypatch, block_bytes):
    texts = [f"A dog number {i % 40} sleeps on a red sofa." for i in range(1500)]
    texts[10] = " untitled "  # several issues on one row, then its duplicates
    texts[11] = texts[12] = texts[10]
    texts[700] = texts[701] = "A DOG number 3 sleeps on a red sofa!!"
    rows = [row(t, image=f"{i % 300}.jpg") for i, t in enumerate(texts)]
    for r in rows:
        del r["license"]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    rules = {"required_columns": ["caption", "image", "license"]}  # a file-level issue, row 0
    rules["rules"] = {"duplicate_image": {"enabled": True}}
    monkeypatch.setattr(merge_module._LineSpools.__init__, "__defaults__", (block_bytes,))
    for workers in (1, 2):
        by_line, by_block = io.BytesIO(), io.BytesIO()
        kwargs = {"rules": rules, "workers": workers, "chunk_bytes": 20_000}
        validate_file(str(path), report=by_line, collect=True, **kwargs)  # merged line by line
        validate_file(str(path), report=by_block, **kwargs)
        assert by_block.getvalue() == by_line.getvalue()
        assert by_line.getvalue().startswith(b'{"row":0,"rule":"missing_column"')
        assert b'"rule":"duplicate_image"' in by_line.getvalue()


@pytest.mark.skipif(not COCO.exists(), reason="needs shared/data")
def test_parallel_workers_match_one_process(tmp_path):
    path = tmp_path / "coco.jsonl"
    path.write_bytes(COCO.read_bytes() * 2)
    one = validate_file(str(path))
    two = validate_file(str(path), workers=2, chunk_bytes=2 * 1024 * 1024, limits=Limits())
    assert one.counts == two.counts
    assert (
        two.counts["by_rule"]["duplicate_caption"] == 206 + 25014
    )  # every row of the second copy repeats one of the first


def test_skipping_the_distinct_search_after_a_distinct_batch_changes_no_verdict(
    tmp_path, monkeypatch
):
    # Small batches: a first batch of unique captions, then batches of repeated, flawed ones.
    from datasets_registry.captions import rules

    unique = [row(f"A cat number {i} sleeps on the red sofa.") for i in range(300)]
    repeated = [row(t) for t in ["image", " A dog  runs. ", "Two cats, two cats, two cats."]] * 300
    path = write_jsonl(tmp_path / "c.jsonl", unique + repeated)
    limits = Limits(block_bytes=16 * 1024)

    def issues(skip: int) -> list[dict]:
        monkeypatch.setattr(rules._DistinctColumn, "SKIP_AFTER_DISTINCT", skip)
        return validate_file(str(path), collect=True, limits=limits).issues

    assert issues(7) == issues(0)
    assert len(issues(7)) > 900


def _sample_report(tmp_path) -> tuple[list[bytes], list[dict]]:
    """(report lines, issues) of 240 rows with several rules failing, duplicates among them."""
    texts = ["image", " A dog  runs. ", "A cat sleeps on a red sofa.", "Visit www.cats.org now"]
    rows = [row(texts[i % 4] + ("" if i % 3 else f" {i}")) for i in range(240)]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    report = io.BytesIO()
    validate_file(str(path), report=report)
    lines = report.getvalue().splitlines(keepends=True)
    return lines, [json.loads(line) for line in lines]


def _filtered(issues: list[dict], rule: str, severity: str) -> list[dict]:
    return [
        i for i in issues
        if (not rule or i["rule"] == rule) and (not severity or i["severity"] == severity)
    ]  # fmt: skip


def test_an_indexed_report_is_one_gzip_stream_and_pages_read_only_what_they_need(tmp_path):
    import gzip

    from datasets_registry.captions import read_report_page, write_indexed_report

    lines, issues = _sample_report(tmp_path)
    rules = sorted({i["rule"] for i in issues})
    severities = {i["rule"]: i["severity"] for i in issues}

    out = io.BytesIO()
    written, index = write_indexed_report(iter(lines), out, rules=rules, block_lines=7)
    assert written == len(lines) and len(index) == -(-len(lines) // 7)
    assert gzip.decompress(out.getvalue()) == b"".join(lines)  # members read as one stream
    assert sum(sum(b["rules"].values()) for b in index) == len(lines)

    plain = io.BytesIO(gzip.compress(b"".join(lines)))  # a report stored before the index
    for rule, severity in [("", ""), ("contains_url", ""), ("", "error"), ("", "warning"),
                           ("stray_whitespace", "warning"), ("stray_whitespace", "error")]:  # fmt: skip
        wanted = _filtered(issues, rule, severity)
        for offset in (0, 1, 6, 7, 30, len(wanted) - 1, len(wanted), len(wanted) + 5):
            expected = (wanted[max(offset, 0) : offset + 10], offset + 10 < len(wanted))
            kwargs = {"rule": rule, "severity": severity, "offset": max(offset, 0), "limit": 10}
            assert read_report_page(out, index, severities, **kwargs) == expected
            assert read_report_page(plain, [], severities, **kwargs) == expected


def test_the_position_of_a_row_is_read_from_its_block_alone_or_by_a_scan(tmp_path):
    """ "Go to row" (issue 16, defect 11): how many filtered issues come before a row, found
    from the block index's first rows (a report written since) or by scanning (one before)."""
    import gzip

    from datasets_registry.captions import report_position, write_indexed_report

    lines, issues = _sample_report(tmp_path)
    severities = {i["rule"]: i["severity"] for i in issues}
    out = io.BytesIO()
    _, index = write_indexed_report(iter(lines), out, rules=sorted(severities), block_lines=7)
    assert [b["first_row"] for b in index] == [issues[k]["row"] for k in range(0, len(lines), 7)]
    old_index = [{k: v for k, v in b.items() if k != "first_row"} for b in index]
    plain = io.BytesIO(gzip.compress(b"".join(lines)))
    for rule, severity in [("", ""), ("duplicate_caption", ""), ("", "error")]:
        wanted = _filtered(issues, rule, severity)
        for at in (1, 2, 3, 50, 121, 122, 239, 240, 241, 10_000):
            expected = sum(1 for i in wanted if i["row"] < at)
            kwargs = {"row": at, "rule": rule, "severity": severity}
            assert report_position(out, index, severities, **kwargs) == expected, (at, rule)
            assert report_position(out, old_index, severities, **kwargs) == expected
            assert report_position(plain, [], severities, **kwargs) == expected


def test_an_empty_indexed_report_is_a_valid_gzip_file():
    import gzip

    from datasets_registry.captions import read_report_page, write_indexed_report

    out = io.BytesIO()
    assert write_indexed_report(iter([]), out, rules=[]) == (0, [])
    assert gzip.decompress(out.getvalue()) == b""
    assert read_report_page(out, [], {}) == ([], False)


@pytest.mark.parametrize("compression", ["", "gzip", "csv"])
def test_a_duplicate_line_carries_the_caption_it_repeats(tmp_path, compression):
    """Issue 16, defect 11: read back after the merge, past blank, broken and over-long lines
    (JSON Lines rows are line numbers), from small blocks, plain, gzip or CSV."""
    import csv as csv_module
    import gzip

    captions = [f"A photo of dog number {i} on a sofa." for i in range(400)]
    lines = [json.dumps(row(c, image=f"{i}.jpg")) for i, c in enumerate(captions)]
    lines[10] = ""  # blank
    lines[11] = "{not json"
    lines[12] = json.dumps(row("x" * 5000))  # longer than the reader accepts below
    lines[300] = json.dumps(row(captions[20], image="300.jpg"))
    lines[399] = json.dumps(row(captions[20].upper(), image="399.jpg"))
    lines[350] = json.dumps(row("  Spaced " + captions[30], image="350.jpg"))
    data = ("\n".join(lines) + "\n").encode()
    if compression == "csv":
        path = tmp_path / "c.csv"
        with path.open("w", newline="") as fp:
            out = csv_module.writer(fp)
            out.writerow(["file_name", "text", "license"])
            for i, c in enumerate(captions):
                text = captions[20] if i == 300 else captions[20].upper() if i == 399 else c
                out.writerow([f"{i}.jpg", text, "CC-BY-4.0"])
    elif compression == "gzip":
        path = tmp_path / "c.jsonl.gz"
        path.write_bytes(gzip.compress(data))
    else:
        path = tmp_path / "c.jsonl"
        path.write_bytes(data)
    limits = Limits(block_bytes=4096, max_line_bytes=4000)
    issues = validate_file(str(path), collect=True, limits=limits).issues
    duplicates = {
        i["row"]: (i["rule"], i["first_row"], i["value"]) for i in issues if "first_row" in i
    }
    assert duplicates == {
        301: ("duplicate_caption", 21, captions[20]),
        400: ("near_duplicate_caption", 21, captions[20].upper()),
    }


@pytest.mark.parametrize("block_bytes", [8 * 1024 * 1024, 64, 1])
def test_rows_read_back_from_a_plain_file_match_a_compressed_read(tmp_path, block_bytes):
    # A plain file is memory-mapped, a compressed one read in blocks: the same rows either way,
    # whatever the blank lines, an over-long line (one row, never wanted: the first read skipped
    # it), odd rows and a last line without a newline.
    import gzip

    lines = [json.dumps(row(f"caption {i}", image=f"{i}.jpg")) for i in range(40)]
    lines[3] = ""
    lines[7] = json.dumps(row("x" * 300))  # over the line limit below
    lines[9] = '{"text": "a", "text": "b", "file_name": "9.jpg"}'  # repeated key: row by row
    lines[11] = '{"text": 5}'
    data = ("\n".join(lines)).encode()
    plain, packed = tmp_path / "c.jsonl", tmp_path / "c.jsonl.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    limits = Limits(max_line_bytes=200, block_bytes=block_bytes)
    mapping = {"caption": "text", "image": "file_name", "license": None}
    wanted = np.array([1, 2, 10, 12, 13, 25, 39, 40])

    def read(path, compression, spec=None):
        out = []
        for batch in iter_rows_of(
            str(path), "jsonl", compression, mapping, wanted, spec=spec, limits=limits
        ):
            texts = batch.columns["caption"].to_pylist()
            images = batch.columns["image"].to_pylist()
            out += zip(batch.rows.to_pylist(), texts, images, strict=True)
        return out

    got = read(plain, "")
    assert got == read(packed, "gzip")
    assert [r for r, _, _ in got] == [1, 2, 10, 12, 13, 25, 39, 40]
    assert got[2] == (10, "b", "9.jpg")  # json.loads keeps the last of a repeated key
    assert got[-1] == (40, "caption 39", "39.jpg")
    start = len("\n".join(lines[:20])) + 1  # a chunk: rows 21 to the end
    spec = {"kind": "range", "start": start, "first_row": 21}
    assert read(plain, "", spec) == [x for x in got if x[0] >= 21]


def test_report_pieces_are_written_in_order_from_a_thread_and_a_failed_write_raises():
    from datasets_registry.captions.report import write_pieces

    pieces = [b"%d\n" % i for i in range(50_000)]
    out = io.BytesIO()
    write_pieces(iter(pieces), out, buffer_bytes=1000)
    assert out.getvalue() == b"".join(pieces)

    class Full(io.BytesIO):
        def write(self, data):
            raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_pieces(iter(pieces), Full(), buffer_bytes=1000)
