"""Reads of resumable uploads: always one person's own."""

from __future__ import annotations

import uuid

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import NotFound

from . import conf
from .errors import UploadGone
from .models import Upload

_GONE = {
    Upload.Status.TERMINATED: gettext_lazy("It was deleted by its uploader."),
    Upload.Status.EXPIRED: gettext_lazy(
        "It expired and its bytes were deleted; start a new upload."
    ),
}


def upload_for(*, user, upload_id: uuid.UUID | str) -> Upload:
    """``user``'s upload, or 404 (missing, or someone else's: the same answer), or 410 when it
    has ended (used, terminated, expired) or its time is up."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        raise NotFound(_("No such upload.")) from None
    upload = Upload.objects.filter(pk=key, user_id=getattr(user, "pk", None)).first()
    if upload is None:
        raise NotFound(_("No such upload."))
    gone = gone_reason(upload)
    if gone:
        raise UploadGone(_("This upload is gone. %(reason)s") % {"reason": gone})
    return upload


def gone_reason(upload: Upload) -> str:
    if upload.status == Upload.Status.CONSUMED:
        if upload.used_for:
            return _("It was already used for %(used_for)s; an upload becomes one file, once.") % {
                "used_for": upload.used_for
            }
        return _("It was already used; an upload becomes one file, once.")
    if upload.status in _GONE:
        return str(_GONE[upload.status])
    if upload.status in (Upload.Status.RECEIVING, Upload.Status.COMPLETE) and (
        upload.expires_at <= timezone.now()
    ):
        return str(_GONE[Upload.Status.EXPIRED])
    return ""


def live_uploads_of(user):
    return Upload.objects.of(user).holding_space().order_by("-created_at")


def quota_of(user) -> dict[str, int]:
    """What ``user``'s live uploads reserve, against the limits."""
    live = Upload.objects.of(user).holding_space().aggregate(n=Count("pk"), reserved=Sum("length"))
    return {
        "bytes": conf.quota_bytes(),
        "reserved_bytes": live["reserved"] or 0,
        "uploads": conf.max_active(),
        "active_uploads": live["n"],
        "max_size": conf.max_size(),
    }
