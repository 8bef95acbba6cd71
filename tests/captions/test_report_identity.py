"""The report is byte-identical to the one the engine wrote before it was made faster (issue 17):
digests of reports written by the engine of ENGINE_VERSION 1.1.0 on the same inputs."""

import hashlib
import json
from pathlib import Path

import numpy as np

from bench.bench_captions import write_unique
from datasets_registry.captions import validate_file
from datasets_registry.captions.report import dump_issue
from datasets_registry.captions.rules import BatchResult

from .helpers import COCO

# md5 of the --report output of the 1.1.0 engine (commit 7262904), default rules.
COCO_REPORT_MD5 = "9caf26e538ef3803d7867d5b777d8da1"
# Bench file, first 100,000 rows. Since issue 16 (defect 9) the domain of an e-mail address is no
# longer a web address: the 1.1.0 report (d91d4292432cfb65c6eb1dc043214c0e) less exactly its 303
# contains_url issues on e-mail domains, every other line byte-identical.
UNIQUE_100K_REPORT_MD5 = "c658f5dc676db4acad4f71f476e7c1e7"


DUPLICATE_RULES = ("duplicate_caption", "near_duplicate_caption", "duplicate_image")


def _as_before_duplicate_values(data: bytes) -> bytes:
    """Since issue 16 (defect 11) a duplicate line carries the repeated caption as its value and
    the row it repeats as ``first_row``: checked here, then taken out, so the rest of the report
    is compared byte for byte with the 1.1.0 engine's."""
    lines = []
    for line in data.splitlines(keepends=True):
        issue = json.loads(line)
        if issue["rule"] in DUPLICATE_RULES:
            assert issue["value"], issue
            assert f"row {issue['first_row']}." in issue["message"], issue
            issue["value"] = ""
            del issue["first_row"]
            line = dump_issue(issue)
        lines.append(line)
    return b"".join(lines)


def _report_md5(path: Path, out: Path) -> str:
    with out.open("wb") as fp:
        validate_file(str(path), report=fp)
    data = _as_before_duplicate_values(out.read_bytes())
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def test_the_coco_report_is_unchanged(tmp_path):
    assert _report_md5(COCO, tmp_path / "r.jsonl") == COCO_REPORT_MD5


def test_the_unique_caption_bench_report_is_unchanged(tmp_path):
    path = write_unique(100_000, tmp_path / "unique.jsonl")
    assert _report_md5(path, tmp_path / "r.jsonl") == UNIQUE_100K_REPORT_MD5


def test_issue_lines_are_formatted_exactly_as_the_json_encoder_would():
    tricky = ['a "quoted" \\ back', "tab\there\nnew", "\x00\x1f\x7f", "100% café 🐱", "", "%s %d"]
    rows = np.arange(1, len(tricky) + 1)
    out = BatchResult()
    out.add("contains_markup", "warning", rows, 'Constant 100% message, %s "quoted".', tricky)
    out.add("repetition", "error", rows, [t + " message" for t in tricky], None)
    out.add("caption_empty", "error", rows[:2], "No value.", None)
    expected = [
        dump_issue(
            {
                "row": int(r),
                "rule": "contains_markup",
                "severity": "warning",
                "message": 'Constant 100% message, %s "quoted".',
                "value": v,
            }
        )
        for r, v in zip(rows, tricky, strict=True)
    ] + [
        dump_issue(
            {
                "row": int(r),
                "rule": "repetition",
                "severity": "error",
                "message": t + " message",
                "value": "",
            }
        )
        for r, t in zip(rows, tricky, strict=True)
    ]
    expected += [
        dump_issue(
            {
                "row": r,
                "rule": "caption_empty",
                "severity": "error",
                "message": "No value.",
                "value": "",
            }
        )
        for r in (1, 2)
    ]
    assert out.lines == expected
    assert out.counts == {"contains_markup": 6, "repetition": 6, "caption_empty": 2}
    # sorted by row, the issues of one row in the order they were added
    assert [line[:30] for line in out.sorted_lines()[:3]] == [
        expected[0][:30],
        expected[6][:30],
        expected[12][:30],
    ]


def test_batches_evaluated_in_several_threads_give_the_same_report(tmp_path):
    from datasets_registry.captions import Limits

    limits = Limits(block_bytes=256 * 1024)  # many small batches, several in flight at once
    reports = []
    for threads in (1, 3):
        out = tmp_path / f"r{threads}.jsonl"
        with out.open("wb") as fp:
            validate_file(str(COCO), report=fp, limits=limits, threads=threads)
        reports.append(out.read_bytes())
    assert reports[0] == reports[1]
    before = _as_before_duplicate_values(reports[0])
    assert hashlib.md5(before, usedforsecurity=False).hexdigest() == COCO_REPORT_MD5
