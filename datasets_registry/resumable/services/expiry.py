"""Ending uploads: terminated by their owner, or expired and cleaned up when abandoned."""

from __future__ import annotations

import contextlib
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict

from .. import conf, selectors, storage
from ..models import Upload
from .common import ORPHAN_AGE, STALE_CLAIM, publish_upload_event
from .using import release_claim


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
            raise Conflict(_("The upload is being used right now; it cannot be deleted."))
        upload.status = Upload.Status.TERMINATED
        publish_upload_event("upload.terminated", upload, user)
        # A PATCH still streaming notices at its next commit; its file is gone already.
        transaction.on_commit(lambda: storage.remove(upload.pk))


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
            publish_upload_event(
                "upload.expired", upload, None, offset=upload.offset, length=upload.length
            )
            transaction.on_commit(lambda pk=upload.pk: storage.remove(pk))
        counts["expired"] += 1
    for upload_id in Upload.objects.filter(
        status=Upload.Status.CONSUMING, updated_at__lt=now - STALE_CLAIM
    ).values_list("pk", flat=True):
        release_claim(upload_id)
        counts["released"] += 1
    counts["forgotten"], _by_model = Upload.objects.filter(
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
