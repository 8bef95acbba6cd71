"""A model version from a folder: every file uploaded resumably (tus), then one registration.

``omi models upload SLUG DIR --version V`` walks ``DIR``; each file's role comes from its name
(see :func:`role_of`), its path in the manifest is its path under ``DIR``. Each file goes up
through :func:`omi_commons_client.uploads.upload_file` (chunked, sha256 per chunk and overall,
resumed after a dropped connection; the upload URL is remembered per file until the version
exists), then the version is registered with an ``upload:<role>:<path>`` part per file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import config
from .errors import IntegrityError, OmiError
from .uploads import CHUNK_SIZE, upload_file

WEIGHTS = {".safetensors", ".bin", ".ckpt", ".pt", ".pth", ".gguf", ".onnx"}
CONFIGS = {".json", ".yaml", ".yml", ".toml", ".cfg", ".ini"}
SCRIPTS = {".py", ".sh", ".ipynb"}
DOCS = {".md", ".txt", ".rst"}
SKIP = {".git", "__pycache__", ".DS_Store"}


def role_of(path: str) -> str:
    """weights / config / finetune_script / docs / other, from the file name."""
    suffix = Path(path).suffix.lower()
    if suffix in WEIGHTS:
        return "weights"
    if suffix in SCRIPTS:
        return "finetune_script"
    if suffix in CONFIGS:
        return "config"
    if suffix in DOCS:
        return "docs"
    return "other"


def folder_files(folder: Path) -> list[tuple[str, str, Path]]:
    """``(manifest path, role, file)`` for every file under ``folder``, sorted; hidden files and
    caches are left out."""
    if not folder.is_dir():
        raise OmiError(f"No such folder: {folder}")
    rows = []
    for file in sorted(folder.rglob("*")):
        rel = file.relative_to(folder).as_posix()
        if not file.is_file() or any(p in SKIP or p.startswith(".") for p in rel.split("/")):
            continue
        rows.append((rel, role_of(rel), file))
    if not rows:
        raise OmiError(f"{folder} holds no files to upload.")
    return rows


def training_refs(client, trained_on: list[str]) -> list[dict[str, str]]:
    """``dataset@version`` → ``{"dataset", "version", "sha256"}`` (the sha256 the server holds)."""
    refs = []
    for ref in trained_on:
        slug, sep, label = ref.partition("@")
        if not sep or not slug or not label:
            raise OmiError(f"--trained-on takes dataset@version; got {ref!r}.")
        version = client.version(slug, label)
        refs.append({"dataset": slug, "version": label, "sha256": version["sha256"]})
    return refs


def upload_model_version(
    client,
    slug: str,
    folder: Path,
    *,
    version: str,
    card: dict,
    training_data: list[dict[str, str]],
    card_body: str = "",
    base_model: str = "",
    external: list[dict[str, Any]] | None = None,
    progress_for: Callable[[str, int], Callable[[int], None] | None] | None = None,
    note: Callable[[str], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    remember: bool = True,
) -> dict:
    """Upload every file of ``folder`` resumably, then register version ``version`` of model
    ``slug`` from the uploads. Returns the registered version (the server's manifest, checks,
    gate), with ``uploads``: what was sent and resumed per file."""
    client.model(slug)  # 404 with the server's message when missing or private
    files = folder_files(folder)
    uploaded: dict[str, dict] = {}
    keys = []
    for rel, role, file in files:
        key = config.upload_key(client.url, file, "model", slug, version, rel)
        keys.append(key)
        resume = config.remembered_upload(key) if remember else None

        def created(url: str, key=key, rel=rel) -> None:
            if remember:
                config.remember_upload(key, url, model=slug, version=version, file=rel)

        progress = progress_for(rel, file.stat().st_size) if progress_for else None
        try:
            result = upload_file(
                client,
                file,
                metadata={"model": slug, "version": version, "path": rel},
                resume_url=resume,
                on_created=created,
                progress=progress,
                note=note,
                chunk_size=chunk_size,
            )
        except IntegrityError:
            config.forget_upload(key)
            raise
        uploaded[rel] = {
            "role": role,
            "id": result.id,
            "sha256": result.sha256,
            "resumed_from": result.resumed_from,
            "sent": result.sent,
        }
    parts: dict[str, Any] = {
        "version": (None, version),
        "card": (None, json.dumps(card)),
        "training_data": (None, json.dumps(training_data)),
    }
    if card_body:
        parts["card_body"] = (None, card_body)
    if base_model:
        parts["base_model"] = (None, base_model)
    if external:
        parts["external"] = (None, json.dumps(external))
    for rel, info in uploaded.items():
        parts[f"upload:{info['role']}:{rel}"] = (None, info["id"])
    registered = client.post(
        f"/api/v1/models/{slug}/versions/", files=parts, ok=(201,), retry_connection=False
    )
    for key in keys:
        config.forget_upload(key)
    by_path = {f["path"]: f for f in registered.get("manifest", [])}
    for rel, info in uploaded.items():
        server = by_path.get(rel, {}).get("sha256")
        if server != info["sha256"]:
            raise IntegrityError(
                f"The server lists {rel} with sha256 {server}; yours is {info['sha256']}."
            )
    registered["uploads"] = uploaded
    return registered
