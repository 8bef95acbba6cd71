"""Appending bytes: the only offset is the server's; bytes are synced before the offset that
vouches for them moves; one writer at a time."""

from __future__ import annotations

import logging
import uuid
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, Invalid

from .. import conf, selectors, storage, tus
from ..errors import ChecksumMismatch, UploadGone, UploadTooLarge
from ..models import Upload
from .common import StorageFull, publish_upload_event

logger = logging.getLogger(__name__)


def upload_append(
    *,
    upload_id: uuid.UUID | str,
    user,
    offset: int,
    stream: BinaryIO,
    content_length: int,
    checksum: tuple[str, bytes] | None = None,
) -> Upload:
    """Append the ``content_length`` bytes of ``stream`` at ``offset`` (a tus PATCH).

    ``offset`` must be the server's offset (409 otherwise), the bytes must fit in the upload's
    length (413), and nobody else may be writing it (423). Without ``checksum`` the bytes are
    committed every ``RESUMABLE_UPLOAD_CHECKPOINT_BYTES`` and, when the connection drops, as far
    as they arrived (the spec: store as much as possible). With ``checksum`` (algorithm, digest)
    the request is all or nothing: a mismatch is a 460 and a body cut short keeps nothing. When
    the last byte lands, the sha256 of the whole file is recorded and ``upload.completed``
    published. Returns the upload as it now is.
    """
    upload = selectors.upload_for(user=user, upload_id=upload_id)
    if _nothing_to_do(upload, offset, content_length):
        return upload
    with storage.locked(upload.pk) as part:
        # Re-read under the lock: another request may have moved the offset meanwhile.
        upload = selectors.upload_for(user=user, upload_id=upload_id)
        if _nothing_to_do(upload, offset, content_length):
            return upload
        held = part.size()
        if held < upload.offset:
            _lost_bytes(upload, held)
        # Bytes past the offset were written by a request that died before committing them.
        part.truncate(upload.offset)
        return _receive(upload, part, stream, content_length, checksum)


def _nothing_to_do(upload: Upload, offset: int, content_length: int) -> bool:
    """Check a PATCH against the upload; True for an empty PATCH at the end of a complete one."""
    if upload.status != Upload.Status.RECEIVING:
        if offset == upload.length and content_length == 0:
            return True
        raise Conflict(
            f"The upload is complete: the server holds all {upload.length:,} bytes.",
            errors={"Upload-Offset": [f"The upload is complete at {upload.length}."]},
        )
    if offset != upload.offset:
        raise Conflict(
            f"Upload-Offset is {offset:,} but the server holds {upload.offset:,} bytes of this "
            f"upload; HEAD it and resume from {upload.offset:,}.",
            errors={"Upload-Offset": [f"The server's offset is {upload.offset}."]},
        )
    remaining = upload.length - upload.offset
    if content_length > remaining:
        raise UploadTooLarge(
            f"The body has {content_length:,} bytes but only {remaining:,} of the upload's "
            f"{upload.length:,} remain.",
            errors={"Content-Length": [f"At most {remaining} bytes remain."]},
        )
    return content_length == 0


def _lost_bytes(upload: Upload, held: int) -> None:
    """The disk holds less than the database says (a restored backup, a lost disk): the offset
    goes back to what is really there, and the client resumes from it."""
    Upload.objects.filter(pk=upload.pk, offset=upload.offset).update(
        offset=held, updated_at=timezone.now()
    )
    storage.forget_hasher(upload.pk)
    logger.warning("Upload %s: %s bytes recorded, %s on disk.", upload.pk, upload.offset, held)
    raise Conflict(
        f"The server holds only {held:,} bytes of this upload; HEAD it and resume from there.",
        errors={"Upload-Offset": [f"The server's offset is {held}."]},
    )


def _receive(upload: Upload, part, stream, content_length: int, checksum) -> Upload:
    start = upload.offset
    hasher = storage.take_hasher(upload.pk, start)
    base = hasher.copy() if hasher is not None and checksum else None
    part_hasher = tus.CHECKSUM_ALGORITHMS[checksum[0]]() if checksum else None
    checkpoint = None if checksum else conf.checkpoint_bytes()
    pos = committed = start
    end = start + content_length
    interrupted = False
    # take_hasher removed the hasher from the cache: if anything below raises before it is put
    # back, it is simply lost (it may have taken bytes that were never committed).
    while pos < end:
        try:
            block = stream.read(min(storage.BLOCK, end - pos))
        except OSError:  # the connection was reset: keep what arrived
            block = b""
        if not block:
            interrupted = True
            break
        try:
            part.write(block)
        except OSError as exc:
            part.truncate(committed)
            raise StorageFull(
                f"The server could not store the bytes ({exc.strerror}); try again later.",
                errors={"Upload-Offset": [f"The server's offset is {committed}."]},
            ) from None
        if hasher is not None:
            hasher.update(block)
        if part_hasher is not None:
            part_hasher.update(block)
        pos += len(block)
        if checkpoint and pos - committed >= checkpoint and pos < upload.length:
            part.sync()
            _commit(upload, committed, pos)
            committed = pos
    if checksum:
        if interrupted:
            part.truncate(start)
            storage.keep_hasher(upload.pk, start, base)
            raise Invalid(
                f"The body ended after {pos - start:,} of {content_length:,} bytes; a PATCH "
                "with Upload-Checksum is kept whole or not at all, so nothing was kept.",
                errors={"Content-Length": ["The body is shorter than Content-Length."]},
            )
        if part_hasher.digest() != checksum[1]:
            part.truncate(start)
            storage.keep_hasher(upload.pk, start, base)
            raise ChecksumMismatch(
                f"The {checksum[0]} of the {content_length:,} bytes received does not match "
                "Upload-Checksum; nothing of this request was kept.",
                errors={"Upload-Checksum": ["Checksum mismatch."]},
            )
    if pos > committed:
        part.sync()
        if pos == upload.length:
            return _complete(upload, part, committed, hasher)
        _commit(upload, committed, pos)
    storage.keep_hasher(upload.pk, pos, hasher)
    upload.refresh_from_db()
    return upload


def _commit(upload: Upload, old: int, new: int) -> None:
    now = timezone.now()
    updated = Upload.objects.filter(
        pk=upload.pk, offset=old, status=Upload.Status.RECEIVING
    ).update(offset=new, updated_at=now, expires_at=now + conf.expiry())
    if updated != 1:
        _raise_changed(upload)


def _raise_changed(upload: Upload) -> None:
    current = Upload.objects.filter(pk=upload.pk).first()
    if current is None or current.status != Upload.Status.RECEIVING:
        raise UploadGone("The upload was deleted or expired while its bytes arrived.")
    raise Conflict(
        f"The upload's offset moved to {current.offset:,} under this request.",
        errors={"Upload-Offset": [f"The server's offset is {current.offset}."]},
    )


def _complete(upload: Upload, part, committed: int, hasher) -> Upload:
    # No hasher: the bytes came through more than one process, or after a crash. Hash what is
    # stored, once; it is exactly what the offset vouches for.
    digest = (
        hasher.hexdigest() if hasher is not None else storage.sha256_of(part.path, upload.length)
    )
    with transaction.atomic():
        now = timezone.now()
        updated = Upload.objects.filter(
            pk=upload.pk, offset=committed, status=Upload.Status.RECEIVING
        ).update(
            offset=upload.length,
            status=Upload.Status.COMPLETE,
            sha256=digest,
            completed_at=now,
            updated_at=now,
            expires_at=now + conf.expiry(),
        )
        if updated != 1:
            _raise_changed(upload)
        upload.refresh_from_db()
        publish_upload_event(
            "upload.completed", upload, upload.user, length=upload.length, sha256=digest
        )
    storage.forget_hasher(upload.pk)
    return upload
