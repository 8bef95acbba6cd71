"""What the upload services share: the claim and orphan ages, the storage-full error, the
announcement of an upload event and the rule for a plain file name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from config import events
from config.errors import DomainError

from ..models import Upload

# A claim (an upload being turned into a version) older than this was left by a dead process.
STALE_CLAIM = timedelta(hours=1)
# A partial file that no live upload owns is removed once it is this old.
ORPHAN_AGE = timedelta(hours=1)


class StorageFull(DomainError):
    status_code = 507


def publish_upload_event(name: str, upload: Upload, actor, **payload: Any) -> None:
    events.publish(
        name,
        {"upload": str(upload.pk), "filename": upload.filename, **payload},
        actor=actor,
        public=False,
        url=upload.get_absolute_url(),
        subject={"type": "upload", "ref": str(upload.pk)},
        objects={"upload": upload},
    )


def is_plain_name(name: str) -> bool:
    return (
        bool(name)
        and len(name) <= 255
        and "/" not in name
        and "\\" not in name
        and name not in (".", "..")
        and all(ch.isprintable() for ch in name)
    )
