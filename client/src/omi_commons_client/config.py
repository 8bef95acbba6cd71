"""Where the ``omi`` command keeps what it remembers: the token, and uploads to resume.

``$OMI_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/omi``, else ``~/.config/omi`` (created ``0700``).
``credentials.json`` holds the server URL and token, written ``0600``: readable only by you.
``uploads.json`` maps a (server, file, size, mtime, dataset, version) to the URL of its upload on
the server, so running the same ``omi datasets upload`` again resumes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any


def config_dir() -> Path:
    explicit = os.environ.get("OMI_CONFIG_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "omi"


def _write_private(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        path.parent.chmod(0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, 0o600)  # even if it existed with a laxer mode
    os.replace(tmp, path)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


def load_credentials() -> dict:
    return _read(credentials_path())


def save_credentials(*, url: str, token: str, username: str) -> Path:
    path = credentials_path()
    _write_private(path, {"url": url, "token": token, "username": username})
    return path


def forget_credentials() -> bool:
    try:
        credentials_path().unlink()
    except FileNotFoundError:
        return False
    return True


# --- uploads to resume ------------------------------------------------------------------------


def _uploads_path() -> Path:
    return config_dir() / "uploads.json"


def upload_key(server: str, path: Path, *parts: str) -> str:
    stat = path.stat()
    raw = json.dumps([server, str(path.resolve()), stat.st_size, stat.st_mtime_ns, *parts])
    return hashlib.sha256(raw.encode()).hexdigest()


def remembered_upload(key: str) -> str | None:
    entry = _read(_uploads_path()).get(key)
    return entry.get("url") if isinstance(entry, dict) else None


def remember_upload(key: str, url: str, **about: Any) -> None:
    data = _read(_uploads_path())
    data[key] = {"url": url, **about}
    _write_private(_uploads_path(), data)


def forget_upload(key: str) -> None:
    data = _read(_uploads_path())
    if data.pop(key, None) is not None:
        _write_private(_uploads_path(), data)
