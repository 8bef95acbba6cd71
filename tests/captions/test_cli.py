"""validate_captions: exit 0 (no error), 1 (errors), 2 (unreadable), the report and the rules."""

import gzip
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from .helpers import row, write_jsonl

GOOD = "A giraffe stands alone outdoors at the zoo."


def call(*args):
    """(exit code, stdout)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("validate_captions", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_exit_0_when_only_warnings(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD + " ")])
    code, out = call(str(path))
    assert code == 0
    assert "stray_whitespace" in out and "0 errors, 1 warning." in out


def test_exit_0_and_no_issues(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD)])
    code, out = call(str(path))
    assert code == 0 and "No issues found." in out and "1 rows" in out


def test_exit_1_when_errors_and_a_sorted_report(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD), row(""), row("untitled"), row(GOOD)])
    report = tmp_path / "out.jsonl"
    code, out = call(str(path), "--report", str(report))
    assert code == 1
    assert "caption_empty" in out and "placeholder_caption" in out
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    assert [(x["row"], x["rule"]) for x in lines] == [
        (2, "caption_empty"),
        (3, "caption_too_short"),
        (3, "placeholder_caption"),
        (4, "duplicate_caption"),
    ]
    assert set(lines[0]) == {"row", "rule", "severity", "message", "value"}
    gz = tmp_path / "out.jsonl.gz"
    call(str(path), "--report", str(gz))
    assert gzip.decompress(gz.read_bytes()).decode() == report.read_text()


def test_exit_2_when_unreadable(tmp_path):
    bad = tmp_path / "c.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    code, message = call(str(bad))
    assert code == 2 and "Cannot read c.parquet" in message
    assert call(str(tmp_path / "missing.jsonl"))[0] == 2
    unknown = tmp_path / "c.txt"
    unknown.write_text("x")
    assert call(str(unknown))[0] == 2
    assert call(str(unknown), "--format", "jsonl")[0] == 1  # read as JSONL: one unreadable row


def test_rules_file_changes_severity_and_bad_rules_exit_2(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD + " ")])
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": {"stray_whitespace": {"severity": "error"}}}))
    assert call(str(path), "--rules", str(rules))[0] == 1
    rules.write_text(json.dumps({"rules": {"nope": {}}}))
    code, message = call(str(path), "--rules", str(rules))
    assert code == 2 and "/rules" in message
    rules.write_text("{not json")
    assert call(str(path), "--rules", str(rules))[0] == 2


def test_column_options(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"words": GOOD}])
    assert call(str(path))[0] == 1  # no caption column found
    assert call(str(path), "--caption-column", "words")[0] == 0


@pytest.mark.django_db
def test_standard_option(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD + " ")])
    code, message = call(str(path), "--standard", "nope@1.0.0")
    assert code == 2 and "No standard version nope@1.0.0" in message
    assert call(str(path), "--standard", "nope")[0] == 2
    from datasets_registry.models import StandardVersion

    sv = StandardVersion.objects.first()
    if sv is None:
        pytest.skip("no standard version seeded in this database")
    code, _ = call(str(path), "--standard", f"{sv.standard.slug}@{sv.version}")
    assert code in (0, 1)


def test_the_command_line_sets_up_neither_django_nor_pandas(tmp_path):
    """Start-up (issue 17, target 2): manage.py hands validate_captions to the engine."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    path = write_jsonl(tmp_path / "c.jsonl", [row(GOOD)])
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", "validate_captions", str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "No issues found." in done.stdout
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "pyarrow" in imported
    assert not {"django.apps", "rest_framework", "celery", "pandas.core"} & imported
    # --standard reads the database: that still goes through Django
    done = subprocess.run(
        [sys.executable, "manage.py", "validate_captions", str(path), "--standard", "x"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "--standard takes SLUG@VERSION" in done.stderr


def test_a_reader_that_goes_away_stops_the_command_quietly(tmp_path):
    """``validate_captions FILE | head -1``: the summary's next line meets a closed pipe."""
    path = tmp_path / "captions.jsonl"
    path.write_text(
        "".join(f'{{"text": "A photo of thing {i}.", "file_name": "{i}.jpg"}}\n' for i in range(5))
    )
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "datasets_registry.captions", str(path)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr
