import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ConfigurationError, env_bool, env_int, env_list, env_size

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_bool_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ConfigurationError, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_env_int_fails_loudly_and_checks_the_minimum(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ConfigurationError, match="N='ten' is not a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ConfigurationError, match="below the minimum"):
        env_int("N", 1, minimum=0)


def test_env_size_reads_units(monkeypatch):
    for raw, expected in [("5G", 5 * 1024**3), ("512M", 512 * 1024**2), ("2GiB", 2 * 1024**3)]:
        monkeypatch.setenv("SIZE", raw)
        assert env_size("SIZE", 1) == expected
    monkeypatch.setenv("SIZE", "lots")
    with pytest.raises(ConfigurationError):
        env_size("SIZE", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.org, b.org,,")
    assert env_list("HOSTS") == ["a.org", "b.org"]


def _boot(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _boot({"DEBUG": "0", "DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_malformed_value_stops_the_process_with_its_name(tmp_path):
    result = _boot({"DEBUG": "perhaps", "DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_development_generates_a_secret_key_into_data_dir(tmp_path):
    result = _boot({"DEBUG": "1", "DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "dev_secret_key"
    assert key_file.exists()
    assert len(key_file.read_text().strip()) >= 50
