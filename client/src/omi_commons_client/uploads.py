"""Resumable uploads over tus 1.0, and a dataset version made from one.

The file is sent in chunks (32 MiB by default), each a PATCH with its own ``Upload-Checksum``
(sha256), so the server keeps every chunk whole or not at all. The sha256 of the whole file is
computed locally from the same bytes as they are sent. When a connection drops, the client asks
the server how much it holds (HEAD) and carries on from there, with backoff; after too many
failures it stops with :class:`UploadInterrupted`, and the upload can be resumed later from its
URL. At the end the server's sha256 must equal the local one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config
from .errors import (
    ApiError,
    ChecksumMismatch,
    Conflict,
    Gone,
    IntegrityError,
    Locked,
    NotFound,
    OmiError,
    RateLimited,
    ServerError,
    TransferError,
    UploadInterrupted,
)

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK_SIZE = 32 * 1024 * 1024
READ_BLOCK = 4 * 1024 * 1024
# Worth another try: the connection, the server, or another request of ours holding the upload.
TRANSIENT = (TransferError, ServerError, RateLimited, Locked, Conflict, ChecksumMismatch)

Progress = Callable[[int], None]


@dataclass
class UploadResult:
    url: str
    id: str
    size: int
    sha256: str
    resumed_from: int
    sent: int  # bytes sent by this call, resent ones included


class _ChunkBody:
    """A chunk as a request body that reports how much of it has been read (sent)."""

    def __init__(self, data: memoryview, start: int, progress: Progress | None):
        self.data = data
        self.start = start
        self.pos = 0
        self.progress = progress

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[bytes]:  # requests streams iterables; we give it read() too
        while True:
            block = self.read(1024 * 1024)
            if not block:
                return
            yield block

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n is None or n < 0 else min(len(self.data), self.pos + n)
        block = bytes(self.data[self.pos : end])
        self.pos = end
        if self.progress is not None and block:
            self.progress(self.start + self.pos)
        return block


def _metadata(values: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(str(value).encode()).decode()}"
        for key, value in values.items()
        if value is not None and value != ""
    )


def _hash_prefix(path: Path, length: int) -> hashlib._Hash:
    digest = hashlib.sha256()
    remaining = length
    with open(path, "rb") as fh:
        while remaining > 0:
            block = fh.read(min(READ_BLOCK, remaining))
            if not block:
                raise OmiError(f"{path} is shorter than it was when the upload started.")
            digest.update(block)
            remaining -= len(block)
    return digest


def server_offset(client, url: str) -> tuple[int, int]:
    response = client.request("HEAD", url, headers=TUS, ok=(200, 204))
    try:
        return int(response.headers["Upload-Offset"]), int(response.headers["Upload-Length"])
    except (KeyError, ValueError):
        raise OmiError(f"{url} did not answer like a tus upload (no Upload-Offset).") from None


def create_upload(client, size: int, metadata: dict[str, str]) -> str:
    headers = {**TUS, "Upload-Length": str(size)}
    encoded = _metadata(metadata)
    if encoded:
        headers["Upload-Metadata"] = encoded
    response = client.request("POST", "/api/v1/uploads/", headers=headers, ok=(201,))
    return client.absolute(response.headers["Location"])


def upload_file(
    client,
    path: Path,
    *,
    metadata: dict[str, str] | None = None,
    resume_url: str | None = None,
    on_created: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    note: Callable[[str], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    retries: int | None = None,
    checksum: bool = True,
) -> UploadResult:
    """Upload ``path`` (resuming ``resume_url`` when the server still has it); verify the
    server's sha256 against the local one. Raises :class:`UploadInterrupted` after ``retries``
    failures in a row (default: the client's), :class:`IntegrityError` on a sha256 mismatch."""
    size = path.stat().st_size
    retries = client.retries if retries is None else retries
    say = note or (lambda message: None)
    url, offset = None, 0
    if resume_url:
        try:
            offset, length = server_offset(client, resume_url)
        except (NotFound, Gone):
            say("The earlier upload is gone from the server; starting again.")
        else:
            if length == size:
                url = resume_url
                say(f"Resuming: the server already holds {offset:,} of {size:,} bytes.")
            else:
                say("The earlier upload was of another file; starting again.")
    if url is None:
        url = create_upload(client, size, {"filename": path.name, **(metadata or {})})
        offset = 0
        if on_created is not None:
            on_created(url)
    resumed_from = offset
    hasher, hashed = _hash_prefix(path, offset), offset
    sent = 0
    failures = 0
    if progress is not None:
        progress(offset)
    with open(path, "rb") as fh:
        while offset < size:
            if hashed != offset:
                hasher, hashed = _hash_prefix(path, offset), offset
            fh.seek(offset)
            chunk = memoryview(fh.read(min(chunk_size, size - offset)))
            if not chunk:
                raise OmiError(f"{path} is shorter than it was when the upload started.")
            headers = {
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            }
            if checksum:
                digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                headers["Upload-Checksum"] = f"sha256 {digest}"
            try:
                response = client.request(
                    "PATCH",
                    url,
                    data=_ChunkBody(chunk, offset, progress),
                    headers=headers,
                    ok=(204,),
                    # A fresh body for every try: this loop retries, from the server's offset.
                    retry_connection=False,
                    retry_status=False,
                )
            except TRANSIENT as exc:
                sent += len(chunk)
                failures += 1
                held = _recover(client, url, failures, retries, exc, offset, size, say)
                if held == offset + len(chunk):  # it arrived; only the answer was lost
                    hasher.update(chunk)
                    hashed = held
                offset = held
                if progress is not None:
                    progress(offset)
                continue
            sent += len(chunk)
            failures = 0
            hasher.update(chunk)
            hashed = offset = int(response.headers.get("Upload-Offset", offset + len(chunk)))
    local = hasher.hexdigest()
    server = client.get(url)
    if server.get("sha256") != local:
        # Nothing sensible can be made of these bytes: free the quota they hold.
        with contextlib.suppress(OmiError):
            client.request("DELETE", url, headers=TUS, ok=(204,))
        raise IntegrityError(
            f"The server computed sha256 {server.get('sha256') or '(none)'} for the "
            f"{size:,} bytes it stored, but {path.name} hashes to {local}."
        )
    return UploadResult(
        url=url, id=str(server["id"]), size=size, sha256=local, resumed_from=resumed_from, sent=sent
    )


def _recover(client, url, failures, retries, exc, offset, size, say) -> int:
    """After a failed PATCH: wait, then ask the server how much it holds (its offset is the
    only one that counts). Gives up with UploadInterrupted after ``retries`` failures."""
    if failures > retries:
        raise UploadInterrupted(
            f"The upload stopped at {offset:,} of {size:,} bytes ({_short(exc)}). Run the same "
            "command again to resume from there.",
            offset=offset,
            length=size,
            url=url,
        ) from exc
    say(f"{_short(exc)}; retrying ({failures}/{retries})…")
    client._sleep(client.wait_time(failures - 1, getattr(exc, "retry_after", None)))
    try:
        held, _ = server_offset(client, url)
    except TransferError as head_exc:
        return _recover(client, url, failures + 1, retries, head_exc, offset, size, say)
    return held


def _short(exc: Exception) -> str:
    if isinstance(exc, ApiError):
        return f"{exc.status}: {exc.message}"
    return str(exc)


def upload_dataset_version(
    client,
    slug: str,
    path: Path,
    *,
    version: str,
    progress: Progress | None = None,
    note: Callable[[str], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    remember: bool = True,
    checksum: bool = True,
    **fields: Any,
) -> dict:
    """Upload ``path`` resumably and create version ``version`` of dataset ``slug`` from it.

    Checked before a byte is sent: the dataset is visible and yours to upload to, and the
    version label is new (the server checks both again when the upload is created). With
    ``remember`` the upload's URL is kept in the config directory until the version exists, so
    a second call with the same file, dataset and version resumes instead of starting over.
    ``fields`` go to the version: ``format``, ``compression``, ``caption_column``,
    ``image_column``, ``license_column``, ``notes``. Returns the created version.
    """
    if not path.is_file():
        raise OmiError(f"No such file: {path}")
    client.dataset(slug)  # 404 with the server's message if missing or private
    if client.version_exists(slug, version):
        raise OmiError(
            f"{slug} already has a version {version!r}; versions are immutable, choose a new label."
        )
    key = config.upload_key(client.url, path, slug, version)
    resume_url = config.remembered_upload(key) if remember else None

    def created(url: str) -> None:
        if remember:
            config.remember_upload(key, url, dataset=slug, version=version, file=str(path))

    try:
        result = upload_file(
            client,
            path,
            metadata={"dataset": slug, "version": version},
            resume_url=resume_url,
            on_created=created,
            progress=progress,
            note=note,
            chunk_size=chunk_size,
            checksum=checksum,
        )
    except IntegrityError:
        config.forget_upload(key)  # the next attempt starts afresh
        raise
    created_version = client.create_version(
        slug, version=version, upload_id=result.id, sha256=result.sha256, **fields
    )
    if remember:
        config.forget_upload(key)
    created_version["upload"] = {
        "url": result.url,
        "resumed_from": result.resumed_from,
        "sent": result.sent,
    }
    return created_version
