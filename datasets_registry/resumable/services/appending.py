"""Appending bytes: the only offset is the server's; bytes are synced before the offset that
vouches for them moves; one writer at a time."""

from __future__ import annotations

import logging
import uuid
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
            _("The upload is complete: the server holds all %(length)s bytes.")
            % {"length": f"{upload.length:,}"},
            errors={
                "Upload-Offset": [
                    _("The upload is complete at %(length)s.") % {"length": upload.length}
                ]
            },
        )
    if offset != upload.offset:
        raise Conflict(
            _(
                "Upload-Offset is %(offset)s but the server holds %(held)s bytes of this "
                "upload; HEAD it and resume from %(held)s."
            )
            % {"offset": f"{offset:,}", "held": f"{upload.offset:,}"},
            errors={
                "Upload-Offset": [
                    _("The server's offset is %(offset)s.") % {"offset": upload.offset}
                ]
            },
        )
    remaining = upload.length - upload.offset
    if content_length > remaining:
        raise UploadTooLarge(
            _(
                "The body has %(size)s bytes but only %(remaining)s of the upload's "
                "%(length)s remain."
            )
            % {
                "size": f"{content_length:,}",
                "remaining": f"{remaining:,}",
                "length": f"{upload.length:,}",
            },
            errors={
                "Content-Length": [
                    _("At most %(remaining)s bytes remain.") % {"remaining": remaining}
                ]
            },
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
        _("The server holds only %(held)s bytes of this upload; HEAD it and resume from there.")
        % {"held": f"{held:,}"},
        errors={"Upload-Offset": [_("The server's offset is %(offset)s.") % {"offset": held}]},
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
                _("The server could not store the bytes (%(reason)s); try again later.")
                % {"reason": exc.strerror},
                errors={
                    "Upload-Offset": [
                        _("The server's offset is %(offset)s.") % {"offset": committed}
                    ]
                },
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
                _(
                    "The body ended after %(received)s of %(size)s bytes; a PATCH with "
                    "Upload-Checksum is kept whole or not at all, so nothing was kept."
                )
                % {"received": f"{pos - start:,}", "size": f"{content_length:,}"},
                errors={"Content-Length": [_("The body is shorter than Content-Length.")]},
            )
        if part_hasher.digest() != checksum[1]:
            part.truncate(start)
            storage.keep_hasher(upload.pk, start, base)
            raise ChecksumMismatch(
                _(
                    "The %(algorithm)s of the %(size)s bytes received does not match "
                    "Upload-Checksum; nothing of this request was kept."
                )
                % {"algorithm": checksum[0], "size": f"{content_length:,}"},
                errors={"Upload-Checksum": [_("Checksum mismatch.")]},
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
        raise UploadGone(_("The upload was deleted or expired while its bytes arrived."))
    raise Conflict(
        _("The upload's offset moved to %(offset)s under this request.")
        % {"offset": f"{current.offset:,}"},
        errors={
            "Upload-Offset": [_("The server's offset is %(offset)s.") % {"offset": current.offset}]
        },
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
