"""The partial file of an upload: where it lives, who may write it, and its running sha256.

**The database is the truth, the file follows it.** ``Upload.offset`` counts the bytes that were
synced to disk *before* the offset was committed. A process killed mid-request may leave bytes
past that offset in the file; the next writer truncates them away before it appends, so they can
never become part of the upload.

**One writer at a time.** A writer holds an exclusive ``flock`` on the file for the whole request
(``locked``). The kernel drops the lock when the process dies, so a killed web process never
leaves an upload locked; a second request meanwhile is refused at once (423), never queued.
Together with the conditional offset update in ``services`` this is why two PATCH requests can
never interleave their bytes.

**The sha256 of the whole file.** hashlib's state cannot be saved, so the running hasher lives
in the memory of the process that received the bytes, in ``_hashers``, filed under the exact
offset it has hashed up to. The next PATCH that continues at that offset in that process goes on
hashing as the bytes stream, exactly like a direct upload (hashed once, never re-read). When the
next PATCH lands in another process, or after a crash, there is no hasher for that offset: the
request streams without one and, at completion, the server hashes the stored file once. Either
way the digest is computed from bytes the database vouches for, so a killed process can never
make it wrong; the price of an interruption is at most one extra read of the file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext

from . import conf
from .errors import UploadLocked

BLOCK = 1024 * 1024
_MAX_HASHERS = 256
_hashers: OrderedDict[uuid.UUID, tuple[int, object]] = OrderedDict()
_hashers_lock = threading.Lock()


def path_of(upload_id: uuid.UUID) -> Path:
    # Two hex characters of fan-out keep directories small with many uploads at once.
    hexid = uuid.UUID(str(upload_id)).hex
    return conf.upload_dir() / hexid[:2] / f"{hexid}.part"


class PartialFile:
    """An open, exclusively locked partial file."""

    def __init__(self, fd: int, path: Path):
        self.fd = fd
        self.path = path

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def truncate(self, length: int) -> None:
        os.ftruncate(self.fd, length)
        os.lseek(self.fd, length, os.SEEK_SET)

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def sync(self) -> None:
        # Bytes are on disk before the offset that vouches for them is committed.
        os.fsync(self.fd)


@contextlib.contextmanager
def locked(upload_id: uuid.UUID) -> Iterator[PartialFile]:
    """Open (creating) the upload's file and hold an exclusive lock on it, or raise 423."""
    path = path_of(upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UploadLocked(
                    gettext(
                        "Another request is sending bytes to this upload right now; wait for it "
                        "to end (or time out), then HEAD the upload and resume from its offset."
                    ),
                    errors={
                        "Upload-Offset": [gettext("This upload is locked by another request.")]
                    },
                ) from None
            raise
        yield PartialFile(fd, path)
    finally:
        os.close(fd)  # also releases the lock


def remove(upload_id: uuid.UUID) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_of(upload_id).unlink()
    forget_hasher(upload_id)


def sha256_of(path: Path, length: int) -> str:
    """The sha256 of the first ``length`` bytes of ``path`` (the bytes the offset vouches for)."""
    digest = hashlib.sha256()
    remaining = length
    with open(path, "rb", buffering=0) as fh:
        while remaining > 0:
            block = fh.read(min(BLOCK * 4, remaining))
            if not block:
                raise OSError(f"{path} is shorter than the {length:,} bytes it should hold.")
            digest.update(block)
            remaining -= len(block)
    return digest.hexdigest()


# --- the running hasher, per process ----------------------------------------------------------


def take_hasher(upload_id: uuid.UUID, offset: int):
    """The running sha256 of the first ``offset`` bytes, if this process has it (removed from the
    cache: the writer holding the lock owns it until it puts it back)."""
    if offset == 0:
        return hashlib.sha256()
    with _hashers_lock:
        entry = _hashers.pop(upload_id, None)
    if entry is None or entry[0] != offset:
        return None
    return entry[1]


def keep_hasher(upload_id: uuid.UUID, offset: int, hasher) -> None:
    if hasher is None:
        return
    with _hashers_lock:
        _hashers[upload_id] = (offset, hasher)
        _hashers.move_to_end(upload_id)
        while len(_hashers) > _MAX_HASHERS:
            _hashers.popitem(last=False)


def forget_hasher(upload_id: uuid.UUID) -> None:
    with _hashers_lock:
        _hashers.pop(upload_id, None)


def stored_ids() -> Iterator[tuple[uuid.UUID, Path]]:
    """Every partial file on disk (the sweeper removes those no live upload owns)."""
    root = conf.upload_dir()
    if not root.is_dir():
        return
    for path in root.glob("*/*.part"):
        try:
            yield uuid.UUID(path.stem), path
        except ValueError:
            continue
