"""The client installs on its own (no Django), `omi` is its entry point, and the curl client of
docs/registry-client.sh still works against the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from datasets_registry.models import DatasetVersion

from .conftest import CLIENT_SRC

CLIENT = CLIENT_SRC.parent
ROOT = CLIENT.parent


def test_the_package_declares_the_omi_command_and_needs_only_requests_and_cryptography():
    # Read, not built: building needs a recent setuptools from the package index (make install
    # fetches it), and tests never reach the network.
    import tomllib

    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"omi": "omi_commons_client.cli:main"}
    # cryptography: the log verifier checks Ed25519 signatures (omi log verify)
    assert project["dependencies"] == ["requests>=2.28,<3", "cryptography>=41"]
    package = CLIENT_SRC / "omi_commons_client"
    assert (package / "py.typed").exists()
    sources = "".join(p.read_text() for p in package.rglob("*.py"))
    assert "import django" not in sources and "from django" not in sources


def test_the_client_imports_no_django():
    code = (
        "import sys, omi_commons_client, omi_commons_client.cli, omi_commons_client.uploads;"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework')]"
    )
    env = {**os.environ, "PYTHONPATH": str(CLIENT_SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=CLIENT, timeout=60)


def test_python_dash_m_runs_the_command():
    env = {**os.environ, "PYTHONPATH": str(CLIENT_SRC), "OMI_CONFIG_DIR": "/nonexistent/omi"}
    done = subprocess.run(
        [sys.executable, "-m", "omi_commons_client", "whoami"],
        capture_output=True,
        text=True,
        env=env,
        cwd=CLIENT,
        timeout=60,
    )
    assert done.returncode == 1
    assert "No server: run `omi login URL` first" in done.stderr


def test_the_makefile_installs_the_client():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -e ./client" in makefile


@pytest.mark.skipif(
    not all(Path(f"/usr/bin/{t}").exists() for t in ("curl", "jq", "sha256sum")),
    reason="docs/registry-client.sh needs curl, jq and sha256sum",
)
def test_the_curl_client_still_works(live_server, token, tmp_path, card_standard):
    captions = tmp_path / "captions.jsonl"
    captions.write_text(
        "".join(
            json.dumps({"file_name": f"{i}.jpg", "text": f"A red fox number {i} in the snow."})
            + "\n"
            for i in range(5)
        )
    )
    done = subprocess.run(
        ["bash", str(ROOT / "docs" / "registry-client.sh"), str(captions), "my-captions", "1.0.0"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OMI_URL": live_server.url, "OMI_TOKEN": token},
    )
    assert done.returncode == 0, done.stderr
    version = DatasetVersion.objects.get(dataset__slug="my-captions")
    assert version.version == "1.0.0" and version.row_count == 5


def run_script(live_server, token, tmp_path, *args, **env):
    captions = tmp_path / "captions.jsonl"
    captions.write_text(
        "".join(
            json.dumps({"file_name": f"{i}.jpg", "text": f"A red fox number {i} in the snow."})
            + "\n"
            for i in range(5)
        )
    )
    return subprocess.run(
        ["bash", str(ROOT / "docs" / "registry-client.sh"), str(captions), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OMI_URL": live_server.url, "OMI_TOKEN": token, **env},
    )


needs_tools = pytest.mark.skipif(
    not all(Path(f"/usr/bin/{t}").exists() for t in ("curl", "jq", "sha256sum")),
    reason="docs/registry-client.sh needs curl, jq and sha256sum",
)


@needs_tools
def test_the_curl_client_writes_the_adopted_card_version(
    live_server, token, tmp_path, card_standard
):
    """Issue 16, defect 5: once 1.0.0 is deprecated the script picks the adopted version."""
    from datasets_registry.models import Dataset, StandardVersion

    old = card_standard
    StandardVersion.objects.filter(pk=old.pk).update(status=StandardVersion.Status.DEPRECATED)
    StandardVersion.objects.create(
        standard=old.standard,
        version="1.1.0",
        status=StandardVersion.Status.ADOPTED,
        schema=old.schema,
        rules=old.rules,
        changelog="Same card, new label.",
    )
    done = run_script(live_server, token, tmp_path, "adopted-captions", "1.0.0")
    assert done.returncode == 0, done.stderr
    assert "omi-dataset-card@1.1.0" in done.stderr
    dataset = Dataset.objects.select_related("standard_version").get(slug="adopted-captions")
    assert dataset.standard_version.version == "1.1.0"


@needs_tools
def test_the_curl_client_prints_the_servers_reasons(live_server, token, tmp_path, card_standard):
    done = run_script(live_server, token, tmp_path, "pinned", "1.0.0", OMI_STANDARD_VERSION="9.9.9")
    assert done.returncode != 0
    assert "answered HTTP 400" in done.stderr
    assert "standard:" in done.stderr  # the field, then the server's reason
    bad = run_script(live_server, "omi_not-a-token", tmp_path, "x", "1.0.0")
    assert bad.returncode != 0
    assert "HTTP 401" in bad.stderr and "The requested URL returned error" not in bad.stderr


@pytest.fixture
def card_standard(transactional_db):
    from datasets_registry.bootstrap import ensure_omi_dataset_card

    return ensure_omi_dataset_card()
