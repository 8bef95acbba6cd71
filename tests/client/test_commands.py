"""The other `omi` commands against the live server: login, datasets, validation, local checks."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest

from datasets_registry.models import Dataset
from datasets_registry.validation.models import ValidationRun
from tests.validation.factories import DEFECTS, METADATA, jsonl, make_dataset

from .conftest import parse


@pytest.fixture
def cats(uploader):
    return make_dataset(uploader, slug="cats")


def write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(path)


# --- login, whoami ---------------------------------------------------------------------------


def test_login_stores_the_token_readable_only_by_me(omi, live_server, token, tmp_path):
    code, out, err = omi("login", live_server.url, "--token", token, auth=False)
    assert code == 0, err
    assert "Logged in to" in out and "as uploader" in out
    stored = tmp_path / "omi-config" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert json.loads(stored.read_text())["token"] == token
    # From now on no --url or --token is needed.
    code, out, _ = omi("whoami", auth=False)
    assert code == 0
    assert out.startswith("uploader on ")
    code, out, _ = omi("whoami", "--json", auth=False)
    assert parse(out)["user"]["username"] == "uploader"
    assert omi("logout", auth=False)[0] == 0
    code, _, err = omi("whoami", auth=False)
    assert code == 1
    assert "omi login URL" in err


def test_login_with_a_refused_token_stores_nothing(omi, live_server, tmp_path):
    code, _, err = omi("login", live_server.url, "--token", "omi_nope", auth=False)
    assert code == 1
    assert "Invalid or revoked token" in err
    assert not (tmp_path / "omi-config" / "credentials.json").exists()


def test_login_reads_the_token_from_stdin(omi, live_server, token, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    code, out, _ = omi("login", live_server.url, auth=False)
    assert code == 0
    assert "as uploader" in out


def test_an_unreachable_server_is_a_clear_error(omi):
    code, _, err = omi("whoami", "--url", "http://127.0.0.1:9", "--retries", "0")
    assert code == 1
    assert "Could not reach http://127.0.0.1:9" in err
    assert "connection refused" in err


# --- datasets --------------------------------------------------------------------------------


def test_datasets_create_from_a_card(omi, tmp_path, card_standard):
    card = write(tmp_path, "card.json", METADATA)
    code, out, err = omi(
        "datasets",
        "create",
        "--card",
        card,
        "--name",
        "Garden birds",
        "--license",
        "CC-BY-4.0",
        "--slug",
        "garden-birds",
        "--private",
        "--json",
    )
    assert code == 0, err
    body = parse(out)
    assert (body["slug"], body["visibility"], body["standard"]) == (
        "garden-birds",
        "private",
        "omi-dataset-card@1.0.0",
    )
    assert Dataset.objects.get(slug="garden-birds").metadata == METADATA


def test_datasets_create_from_a_whole_record(omi, tmp_path, card_standard):
    record = {"name": "Street signs", "license": "CC0-1.0", "metadata": METADATA}
    code, out, _ = omi("datasets", "create", "--card", write(tmp_path, "record.json", record))
    assert code == 0
    assert "Dataset street-signs is registered" in out


def test_datasets_create_reports_card_errors_by_json_pointer(omi, tmp_path, card_standard):
    bad = dict(METADATA)
    del bad["creators"]
    code, out, err = omi(
        "datasets",
        "create",
        "--card",
        write(tmp_path, "card.json", bad),
        "--name",
        "X",
        "--license",
        "CC-BY-4.0",
        "--json",
    )
    assert code == 1
    assert "/metadata/creators" in err
    assert "/metadata/creators" in parse(out)["error"]["errors"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", "is not valid JSON: "), (b"[1, 2]", "must hold a JSON object")],
)
def test_datasets_create_refuses_a_bad_card_file(omi, tmp_path, content, message):
    code, _, err = omi("datasets", "create", "--card", write(tmp_path, "card.json", content))
    assert code == 1
    assert message in err


def test_datasets_create_asks_for_what_is_missing(omi, tmp_path):
    code, _, err = omi("datasets", "create", "--card", write(tmp_path, "card.json", METADATA))
    assert code == 1
    assert "needs name and license" in err
    assert "--name --license" in err


def test_datasets_list_and_show(omi, cats):
    code, out, _ = omi("datasets", "list")
    assert code == 0
    assert "cats" in out and "CC-BY-4.0" in out
    code, out, _ = omi("datasets", "list", "--json")
    assert [d["slug"] for d in parse(out)] == ["cats"]
    code, out, _ = omi("datasets", "show", "cats")
    assert "Captions of uploader" in out
    code, _, err = omi("datasets", "show", "nope")
    assert code == 1
    assert "No dataset 'nope'" in err


# --- validation ------------------------------------------------------------------------------


@pytest.fixture
def versions(omi, cats, tmp_path, eager):
    """Version clean (no errors), defects (two errors), both validated in the server."""
    clean = [
        dict(row, text=f"A photo of a red fox number {i} in the snow.")
        for i, row in enumerate(DEFECTS)
    ]
    for label, rows in (("clean", clean), ("defects", DEFECTS)):
        code, _, err = omi(
            "datasets",
            "upload",
            "cats",
            write(tmp_path, f"{label}.jsonl", jsonl(rows)),
            "--version",
            label,
        )
        assert code == 0, err


def test_validation_wait_exits_0_when_passed_1_with_errors_2_when_failed(omi, versions):
    code, out, _ = omi("validation", "wait", "cats", "clean")
    assert code == 0
    assert "Validation of cats clean: succeeded" in out
    assert "0 errors" in out
    code, out, _ = omi("validation", "wait", "cats", "defects", "--json")
    assert code == 1
    assert parse(out)["counts"]["by_severity"]["error"] == 2
    ValidationRun.objects.filter(version__version="clean").update(status="failed", error="boom")
    code, out, _ = omi("validation", "wait", "cats", "clean")
    assert code == 2
    assert "failed (boom)" in out


def test_validation_wait_of_a_missing_version_is_3(omi, cats):
    code, _, err = omi("validation", "wait", "cats", "9.9.9")
    assert code == 3
    assert "No version '9.9.9'" in err


def test_validation_wait_gives_up_after_its_timeout(omi, cats, tmp_path):
    # No eager worker here: the run stays queued.
    assert (
        omi(
            "datasets",
            "upload",
            "cats",
            write(tmp_path, "a.jsonl", jsonl(DEFECTS)),
            "--version",
            "q",
        )[0]
        == 0
    )
    code, _, err = omi("validation", "wait", "cats", "q", "--timeout", "0.5", "--interval", "0.2")
    assert code == 3
    assert "still queued after 0.5 s" in err


def test_validation_issues_as_table_json_and_csv(omi, versions):
    code, out, _ = omi("validation", "issues", "cats", "defects", "--rule", "caption_empty")
    assert code == 0
    assert "caption_empty" in out and "row" in out.splitlines()[0]
    code, out, _ = omi(
        "validation", "issues", "cats", "defects", "--severity", "error", "--format", "json"
    )
    assert sorted(i["rule"] for i in json.loads(out)) == ["caption_empty", "placeholder_caption"]
    code, out, _ = omi("validation", "issues", "cats", "defects", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["rule"] for r in rows} >= {"caption_empty", "placeholder_caption"}
    assert set(rows[0]) == {"row", "rule", "severity", "message", "value"}
    code, _, err = omi("validation", "issues", "cats", "defects", "--rule", "no_such_rule")
    assert code == 1
    assert "Unknown rule 'no_such_rule'" in err


# --- local validation ------------------------------------------------------------------------


def test_validate_runs_the_engine_locally_and_exits_like_validate_captions(omi, tmp_path):
    clean = [
        dict(row, text=f"A photo of a red fox number {i} in the snow.")
        for i, row in enumerate(DEFECTS)
    ]
    code, out, _ = omi("validate", write(tmp_path, "clean.jsonl", jsonl(clean)), auth=False)
    assert code == 0
    assert "No issues found." in out or "0 errors" in out
    report = tmp_path / "issues.jsonl"
    code, out, _ = omi(
        "validate",
        write(tmp_path, "bad.jsonl", jsonl(DEFECTS)),
        "--report",
        report,
        "--json",
        auth=False,
    )
    assert code == 1
    body = parse(out)
    assert body["passed"] is False and body["rows"] == len(DEFECTS)
    assert {json.loads(line)["rule"] for line in report.read_text().splitlines()} >= {
        "caption_empty"
    }
    code, _, err = omi(
        "validate", write(tmp_path, "broken.parquet", b"PAR1 not really"), auth=False
    )
    assert code == 2
    assert "Cannot read broken.parquet" in err


def test_validate_with_a_standard_fetches_its_rules_from_the_server(omi, tmp_path, card_standard):
    code, out, err = omi(
        "validate",
        write(tmp_path, "bad.jsonl", jsonl(DEFECTS)),
        "--standard",
        "omi-dataset-card@1.0.0",
    )
    assert code == 1, err
    assert "placeholder_caption" in out
    code, _, err = omi(
        "validate", write(tmp_path, "x.jsonl", jsonl(DEFECTS)), "--standard", "omi-dataset-card"
    )
    assert code == 2
    assert "SLUG@VERSION" in err


def test_validate_says_how_to_get_the_engine_when_it_is_missing(omi, tmp_path, monkeypatch):
    from omi_commons_client import local

    def missing():
        raise local.EngineMissing("omi validate runs the platform's caption engine …")

    monkeypatch.setattr(local, "load_engine", missing)
    code, _, err = omi("validate", write(tmp_path, "a.jsonl", jsonl(DEFECTS)), auth=False)
    assert code == 2
    assert "caption engine" in err


# --- the rest --------------------------------------------------------------------------------


def test_standards_groups_and_uploads(omi, card_standard, tmp_path, cats):
    code, out, _ = omi("standards", "list")
    assert code == 0 and "omi-dataset-card" in out
    code, out, _ = omi("standards", "show", "omi-dataset-card@1.0.0", "--json")
    assert parse(out)["status"] == "adopted"
    code, out, _ = omi("groups", "list", "--json")
    assert code == 0 and isinstance(parse(out), list)
    code, out, _ = omi("uploads", "list", "--json")
    assert parse(out) == []


def test_help_reads_well(capsys):
    from omi_commons_client import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for command in ("login", "whoami", "datasets", "validation", "validate", "uploads"):
        assert command in text
    assert "examples:" in text
    assert cli.main([]) == 2


@pytest.fixture
def card_standard(transactional_db):
    from datasets_registry.bootstrap import ensure_omi_dataset_card

    return ensure_omi_dataset_card()
