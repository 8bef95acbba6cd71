"""Using a completed upload once, in place of a file part (a dataset or model version)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid

from .. import selectors, storage
from ..models import Upload
from .common import publish_upload_event


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
        raise refuse(Invalid, _("%(id)s is not an upload id.") % {"id": repr(upload_id)}) from None
    upload = Upload.objects.filter(pk=key, user_id=getattr(user, "pk", None)).first()
    if upload is None:
        raise refuse(Invalid, _("You have no upload %(id)s.") % {"id": key})
    gone = selectors.gone_reason(upload)
    if gone:
        raise refuse(
            Conflict, _("Upload %(id)s cannot be used. %(reason)s") % {"id": key, "reason": gone}
        )
    if upload.status == Upload.Status.RECEIVING:
        raise refuse(
            Conflict,
            _(
                "Upload %(id)s is not complete: %(offset)s of %(length)s bytes arrived. "
                "Send the rest (PATCH), then try again."
            )
            % {"id": key, "offset": f"{upload.offset:,}", "length": f"{upload.length:,}"},
        )
    if upload.status == Upload.Status.CONSUMING:
        raise refuse(
            Conflict, _("Upload %(id)s is being used by another request right now.") % {"id": key}
        )
    path = storage.path_of(upload.pk)
    try:
        held = path.stat().st_size
    except FileNotFoundError:
        held = -1
    if held != upload.length:
        raise refuse(
            Conflict,
            _("The bytes of upload %(id)s are no longer on this server; upload again.")
            % {"id": key},
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
        message = _("Upload %(id)s is being used by another request right now.") % {
            "id": completed.id
        }
        raise Conflict(message, errors={"upload_id": [message]})
    try:
        yield completed
    except BaseException:
        release_claim(completed.id)
        raise
    with transaction.atomic():
        now = timezone.now()
        Upload.objects.filter(pk=completed.id, status=Upload.Status.CONSUMING).update(
            status=Upload.Status.CONSUMED, used_for=used_for[:300], ended_at=now, updated_at=now
        )
        upload = Upload.objects.get(pk=completed.id)
        publish_upload_event(
            "upload.consumed", upload, user, sha256=completed.sha256, used_for=upload.used_for
        )
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
            _("Send the file or an upload_id, not both."),
            errors={"upload_id": [_("Leave upload_id empty when you send a file.")]},
        )
    with upload_claim(upload_id=upload_id, user=user, used_for=used_for) as completed:
        as_file = completed.as_uploaded_file()
        try:
            yield as_file
        finally:
            as_file.close()


def release_claim(upload_id: uuid.UUID) -> None:
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
