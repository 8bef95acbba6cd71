"""Writes of resumable uploads: create, append bytes, terminate, use once, expire.

Every function takes the acting user and refuses with a ``config.errors`` error a person can act
on. The rules that make an upload trustworthy live here:

- the server's ``offset`` is the only offset: a PATCH must start exactly there (409 otherwise),
  and it moves only by a conditional update from the value the writer started from;
- bytes are synced to disk before the offset that vouches for them is committed (``storage``);
- one writer per upload, by a lock the kernel drops when a process dies (423 meanwhile);
- the sha256 of the whole file comes from the bytes the server holds, never from the client.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from config import events
from config.errors import Conflict, DomainError, Invalid, NotAllowed
from datasets_registry.models import Dataset, DatasetVersion
from governance import roles

from . import conf, selectors, storage, tus
from .errors import ChecksumMismatch, UploadGone, UploadTooLarge
from .models import Upload

logger = logging.getLogger(__name__)

# A claim (an upload being turned into a version) older than this was left by a dead process.
STALE_CLAIM = timedelta(hours=1)
# A partial file that no live upload owns is removed once it is this old.
ORPHAN_AGE = timedelta(hours=1)


class StorageFull(DomainError):
    status_code = 507


def _publish(name: str, upload: Upload, actor, **payload: Any) -> None:
    events.publish(
        name,
        {"upload": str(upload.pk), "filename": upload.filename, **payload},
        actor=actor,
        public=False,
        url=upload.get_absolute_url(),
        subject={"type": "upload", "ref": str(upload.pk)},
        objects={"upload": upload},
    )


def _plain_name(name: str) -> bool:
    return (
        bool(name)
        and len(name) <= 255
        and "/" not in name
        and "\\" not in name
        and name not in (".", "..")
        and all(ch.isprintable() for ch in name)
    )


# --- creation ---------------------------------------------------------------------------------


def upload_create(*, user, length: int | None, metadata_header: str = "") -> Upload:
    """Create an upload of ``length`` bytes for ``user`` (tus creation extension).

    ``metadata_header`` is ``Upload-Metadata`` as sent. Its ``filename`` (or ``name``) becomes
    the file's name; ``dataset`` and ``version``, when given, are checked now, so that nobody
    sends gigabytes for a dataset they may not upload to or a version label that exists. Refused:
    over ``DATASET_UPLOAD_MAX_BYTES`` (413), over the person's quota of bytes (413) or of uploads
    at once (409). Publishes ``upload.created``.
    """
    roles.require_user(user)
    if length is None:
        raise Invalid(
            "Upload-Length is required: this server does not accept deferred lengths.",
            errors={"Upload-Length": ["Send the size of the whole file, in bytes."]},
        )
    if length == 0:
        raise Invalid(
            "The file is empty.", errors={"Upload-Length": ["An empty file cannot be uploaded."]}
        )
    limit = conf.max_size()
    if length > limit:
        raise UploadTooLarge(
            f"The file is larger than the upload limit of {limit:,} bytes.",
            errors={
                "Upload-Length": [
                    f"{length:,} bytes; files may be at most {limit:,} bytes (Tus-Max-Size)."
                ]
            },
        )
    metadata = tus.parse_metadata(metadata_header)
    filename = (metadata.get("filename") or metadata.get("name") or "").strip()
    if filename and not _plain_name(filename):
        raise Invalid(
            "The file name contains a path; send a plain file name.",
            errors={"Upload-Metadata": [f"filename {filename!r} is not a plain file name."]},
        )
    _check_destination(user, metadata)

    with transaction.atomic():
        # One person's creations one at a time, so two at once cannot both squeeze under the quota.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        quota = selectors.quota_of(user)
        if quota["active_uploads"] >= quota["uploads"]:
            raise Conflict(
                f"You have {quota['active_uploads']} uploads in progress or waiting to be used, "
                f"the most allowed at once; finish or delete one (DELETE its URL) first.",
                errors={"Upload-Length": [f"At most {quota['uploads']} uploads at once."]},
            )
        if quota["reserved_bytes"] + length > quota["bytes"]:
            free = max(0, quota["bytes"] - quota["reserved_bytes"])
            raise UploadTooLarge(
                f"This upload would take you past your upload quota of {quota['bytes']:,} bytes: "
                f"{quota['reserved_bytes']:,} are reserved by your other uploads, {free:,} are "
                "free. Finish, use or delete them (or wait until they expire).",
                errors={"Upload-Length": [f"{free:,} bytes of your quota are free."]},
            )
        now = timezone.now()
        upload = Upload.objects.create(
            user=user,
            length=length,
            filename=filename,
            metadata=metadata,
            metadata_header=(metadata_header or "").strip(),
            created_at=now,
            updated_at=now,
            expires_at=now + conf.expiry(),
        )
        _publish("upload.created", upload, user, length=length)
    return upload


def _check_destination(user, metadata: dict[str, str | None]) -> None:
    """``dataset`` / ``version`` in the metadata: refuse now what creating the version would."""
    slug = (metadata.get("dataset") or "").strip()
    if not slug:
        return
    dataset = Dataset.objects.visible_to(user).filter(slug=slug).first()
    if dataset is None:
        raise Invalid(
            f"No dataset {slug!r} (or it is private and not yours).",
            errors={"Upload-Metadata": [f"dataset {slug!r} does not exist."]},
        )
    if not dataset.can_maintain(user):
        raise NotAllowed("Only the dataset's owner, its maintainers and staff may upload.")
    label = (metadata.get("version") or "").strip()
    if label and DatasetVersion.objects.filter(dataset=dataset, version=label).exists():
        raise Conflict(
            f"{slug} already has a version {label!r}; versions are immutable, upload under a "
            "new label.",
            errors={"Upload-Metadata": [f"version {label!r} exists."]},
        )


# --- appending bytes --------------------------------------------------------------------------


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
        _publish("upload.completed", upload, upload.user, length=upload.length, sha256=digest)
    storage.forget_hasher(upload.pk)
    return upload


# --- termination ------------------------------------------------------------------------------


def upload_terminate(*, upload_id: uuid.UUID | str, user) -> None:
    """Delete an upload and its bytes (tus termination). Later requests get 410. An upload being
    used right now cannot be deleted (409). Publishes ``upload.terminated``."""
    upload = selectors.upload_for(user=user, upload_id=upload_id)
    with transaction.atomic():
        now = timezone.now()
        updated = Upload.objects.filter(
            pk=upload.pk, status__in=(Upload.Status.RECEIVING, Upload.Status.COMPLETE)
        ).update(status=Upload.Status.TERMINATED, ended_at=now, updated_at=now)
        if updated != 1:
            raise Conflict("The upload is being used right now; it cannot be deleted.")
        upload.status = Upload.Status.TERMINATED
        _publish("upload.terminated", upload, user)
        # A PATCH still streaming notices at its next commit; its file is gone already.
        transaction.on_commit(lambda: storage.remove(upload.pk))


# --- using a completed upload -----------------------------------------------------------------


@dataclass(frozen=True)
class CompletedUpload:
    """A complete upload's file, for the service that turns it into something (a version)."""

    id: uuid.UUID
    path: Path
    size: int
    sha256: str
    filename: str
    metadata: dict

    def as_uploaded_file(self) -> UploadedFile:
        """The file as Django's ``UploadedFile``, carrying its sha256 like a streamed direct
        upload, so the registry's services take it unchanged. Local storage moves it into place
        (``temporary_file_path``): no copy."""
        return _StoredUpload(self)


class _StoredUpload(UploadedFile):
    def __init__(self, completed: CompletedUpload):
        super().__init__(
            file=open(completed.path, "rb"),  # noqa: SIM115  (closed by its owner, as Django's)
            name=completed.filename or f"upload-{completed.id.hex[:12]}",
            content_type="application/octet-stream",
            size=completed.size,
        )
        self.sha256 = completed.sha256
        self._path = str(completed.path)

    def temporary_file_path(self) -> str:
        return self._path


def _usable(upload_id, user) -> Upload:
    """The upload behind an ``upload_id`` field, or an error keyed by that field."""

    def refuse(kind, message: str):
        return kind(message, errors={"upload_id": [message]})

    try:
        key = uuid.UUID(str(upload_id).strip())
    except ValueError:
        raise refuse(Invalid, f"{upload_id!r} is not an upload id.") from None
    upload = Upload.objects.filter(pk=key, user_id=getattr(user, "pk", None)).first()
    if upload is None:
        raise refuse(Invalid, f"You have no upload {key}.")
    gone = selectors.gone_reason(upload)
    if gone:
        raise refuse(Conflict, f"Upload {key} cannot be used. {gone}")
    if upload.status == Upload.Status.RECEIVING:
        raise refuse(
            Conflict,
            f"Upload {key} is not complete: {upload.offset:,} of {upload.length:,} bytes "
            "arrived. Send the rest (PATCH), then try again.",
        )
    if upload.status == Upload.Status.CONSUMING:
        raise refuse(Conflict, f"Upload {key} is being used by another request right now.")
    path = storage.path_of(upload.pk)
    try:
        held = path.stat().st_size
    except FileNotFoundError:
        held = -1
    if held != upload.length:
        raise refuse(
            Conflict, f"The bytes of upload {key} are no longer on this server; upload again."
        )
    return upload


def completed_upload(*, upload_id: uuid.UUID | str, user) -> CompletedUpload:
    """The completed upload ``upload_id`` of ``user``: its file's path, size and sha256.

    Raises ``Invalid`` (not an id, not theirs) or ``Conflict`` (still receiving, being used,
    already used, terminated, expired, bytes missing), each keyed by ``upload_id``. Reads only:
    use :func:`upload_claim` to turn it into something, once.
    """
    upload = _usable(upload_id, user)
    return CompletedUpload(
        id=upload.pk,
        path=storage.path_of(upload.pk),
        size=upload.length,
        sha256=upload.sha256,
        filename=upload.filename,
        metadata=dict(upload.metadata),
    )


@contextlib.contextmanager
def upload_claim(*, upload_id: uuid.UUID | str, user, used_for: str) -> Iterator[CompletedUpload]:
    """Use a completed upload once: ``with upload_claim(...) as completed: create(completed)``.

    The upload is claimed by a conditional update (a second request using the same upload gets
    409 while the first runs). If the block raises, the upload is released, usable again as
    long as its bytes are still there. If it succeeds, the upload is ``consumed`` (used for
    ``used_for``, e.g. ``"dataset cats version 1.0.0"``), its leftover bytes are removed and
    ``upload.consumed`` is published. A process killed mid-claim leaves a claim that the sweeper
    releases after an hour.
    """
    completed = completed_upload(upload_id=upload_id, user=user)
    claimed = Upload.objects.filter(pk=completed.id, status=Upload.Status.COMPLETE).update(
        status=Upload.Status.CONSUMING, updated_at=timezone.now()
    )
    if claimed != 1:
        message = f"Upload {completed.id} is being used by another request right now."
        raise Conflict(message, errors={"upload_id": [message]})
    try:
        yield completed
    except BaseException:
        _release(completed.id)
        raise
    with transaction.atomic():
        now = timezone.now()
        Upload.objects.filter(pk=completed.id, status=Upload.Status.CONSUMING).update(
            status=Upload.Status.CONSUMED, used_for=used_for[:300], ended_at=now, updated_at=now
        )
        upload = Upload.objects.get(pk=completed.id)
        _publish("upload.consumed", upload, user, sha256=completed.sha256, used_for=upload.used_for)
        # Local storage moved the file away; any other storage copied it: remove the original.
        transaction.on_commit(lambda: storage.remove(completed.id))


@contextlib.contextmanager
def file_or_upload(
    *, user, file: UploadedFile | None, upload_id: str | None, used_for: str
) -> Iterator[UploadedFile | None]:
    """The file of a create request that takes either a direct ``file`` part or the
    ``upload_id`` of a completed resumable upload (claimed for ``used_for`` while the block
    runs: see :func:`upload_claim`). Both at once is refused; neither yields ``None``, for the
    create service to refuse with its own message::

        with file_or_upload(user=u, file=f, upload_id=i, used_for="dataset x version 1") as up:
            dataset_version_create(..., upload=up)
    """
    upload_id = (upload_id or "").strip() or None
    if upload_id is None:
        yield file
        return
    if file is not None:
        raise Invalid(
            "Send the file or an upload_id, not both.",
            errors={"upload_id": ["Leave upload_id empty when you send a file."]},
        )
    with upload_claim(upload_id=upload_id, user=user, used_for=used_for) as completed:
        as_file = completed.as_uploaded_file()
        try:
            yield as_file
        finally:
            as_file.close()


def _release(upload_id: uuid.UUID) -> None:
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None:
        return
    try:
        intact = storage.path_of(upload_id).stat().st_size == upload.length
    except FileNotFoundError:
        intact = False
    now = timezone.now()
    Upload.objects.filter(pk=upload_id, status=Upload.Status.CONSUMING).update(
        status=Upload.Status.COMPLETE if intact else Upload.Status.EXPIRED,
        updated_at=now,
        ended_at=None if intact else now,
    )


# --- expiry -----------------------------------------------------------------------------------


def uploads_expire(*, now=None) -> dict[str, int]:
    """Clean up (the beat task): expire uploads past ``expires_at`` and delete their bytes,
    release claims left by dead processes, forget ended uploads after
    ``RESUMABLE_UPLOAD_KEEP_ENDED_SECONDS``, and remove partial files that no live upload owns.
    Idempotent; publishes ``upload.expired`` for each upload it expires."""
    now = now or timezone.now()
    counts = {"expired": 0, "released": 0, "forgotten": 0, "orphans": 0}
    for upload in Upload.objects.past_expiry(now).select_related("user").iterator():
        with transaction.atomic():
            updated = Upload.objects.filter(
                pk=upload.pk, status=upload.status, expires_at__lt=now
            ).update(status=Upload.Status.EXPIRED, ended_at=now, updated_at=now)
            if updated != 1:
                continue  # written meanwhile: its next round decides
            _publish("upload.expired", upload, None, offset=upload.offset, length=upload.length)
            transaction.on_commit(lambda pk=upload.pk: storage.remove(pk))
        counts["expired"] += 1
    for upload_id in Upload.objects.filter(
        status=Upload.Status.CONSUMING, updated_at__lt=now - STALE_CLAIM
    ).values_list("pk", flat=True):
        _release(upload_id)
        counts["released"] += 1
    counts["forgotten"], _ = Upload.objects.filter(
        status__in=Upload.ENDED, ended_at__lt=now - conf.keep_ended()
    ).delete()
    on_disk = dict(storage.stored_ids())
    if on_disk:
        live = set(
            Upload.objects.filter(pk__in=list(on_disk), status__in=Upload.LIVE).values_list(
                "pk", flat=True
            )
        )
        cutoff = (now - ORPHAN_AGE).timestamp()
        for upload_id, path in on_disk.items():
            if upload_id in live:
                continue
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    counts["orphans"] += 1
    return counts
