"""What the pipeline's steps share: timings from settings, the engine's limits, local copies of
stored files, and the clean-up of scratch files."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage

from datasets_registry.captions import Limits


def lease() -> timedelta:
    """How long a claim lasts without a heartbeat (``VALIDATION_LEASE_SECONDS``)."""
    return timedelta(seconds=settings.VALIDATION_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    """How often a running step renews its claim (``VALIDATION_HEARTBEAT_SECONDS``)."""
    return float(settings.VALIDATION_HEARTBEAT_SECONDS)


def redispatch_after() -> timedelta:
    """How long a sent message may wait in the broker before it is presumed lost and sent again
    (``VALIDATION_REDISPATCH_SECONDS``). Longer than a lease: under load a message legitimately
    waits behind others, and each re-send is one more message in the queue."""
    return timedelta(seconds=settings.VALIDATION_REDISPATCH_SECONDS)


def limits() -> Limits:
    return Limits(
        max_decompressed_bytes=settings.VALIDATION_MAX_DECOMPRESSED_BYTES,
        max_expansion_ratio=settings.DATASET_MAX_EXPANSION_RATIO,
        max_rows=settings.DATASET_MAX_ROWS,
    )


def delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            with contextlib.suppress(Exception):
                default_storage.delete(name)


@contextlib.contextmanager
def local_file(version, byte_range: tuple[int, int] | None = None) -> Iterator[str]:
    """A local path to the version's file: the stored file itself on local storage, else a copy
    (remote storage such as S3) removed afterwards.

    With ``byte_range`` (a chunk of plain JSON Lines reads only its own bytes), a remote copy holds
    only that range, at its offset in a sparse file of the stored file's size: a worker on another
    host fetches its chunk, not the whole file once per chunk."""
    storage = version.file.storage
    try:
        path = storage.path(version.file.name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    suffix = os.path.splitext(version.file.name)[1]
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="validation-")
    try:
        with os.fdopen(fd, "wb") as out:
            ranged = _ranged_source(storage, version.file.name, byte_range)
            if ranged is not None:
                out.truncate(version.size)
                out.seek(byte_range[0])
                shutil.copyfileobj(ranged, out, 1 << 20)
            else:
                with storage.open(version.file.name, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        yield tmp
    finally:
        os.unlink(tmp)


def _ranged_source(storage, name: str, byte_range: tuple[int, int] | None):
    """A stream of ``byte_range`` of a stored file, where the storage can fetch a range (S3:
    an HTTP Range request); None where it cannot, and the caller copies the whole file."""
    if byte_range is None or not hasattr(storage, "bucket"):
        return None
    from storages.utils import clean_name

    start, end = byte_range
    if end <= start:
        return None
    key = storage._normalize_name(clean_name(name))
    return storage.bucket.Object(key).get(Range=f"bytes={start}-{end - 1}")["Body"]
