"""Evidence images: bounded in count and size, images only (by their first bytes, never by the
name or the declared type), stored under random names in private storage."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.errors import Invalid, TooLarge

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def max_files() -> int:
    return int(getattr(settings, "REDTEAM_EVIDENCE_MAX_FILES", 5))


def max_bytes() -> int:
    return int(getattr(settings, "REDTEAM_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def read_all(files) -> list[dict]:
    """Check every upload and read it: ``[{"name", "content_type", "size", "sha256", "data"}]``.
    Raises ``Invalid``/``TooLarge`` naming the file."""
    files = list(files or [])
    if len(files) > max_files():
        raise Invalid(
            ngettext(
                "At most %(count)s evidence image.",
                "At most %(count)s evidence images.",
                max_files(),
            )
            % {"count": max_files()},
            errors={
                "evidence": [
                    ngettext(
                        "%(sent)s files sent; the limit is %(count)s.",
                        "%(sent)s files sent; the limit is %(count)s.",
                        len(files),
                    )
                    % {"sent": len(files), "count": max_files()}
                ]
            },
        )
    out = []
    for index, upload in enumerate(files):
        key = f"evidence.{index}"
        name = str(getattr(upload, "name", "") or f"image-{index}")[-200:]
        if upload.size > max_bytes():
            raise TooLarge(
                _("%(name)s is over %(limit)s bytes.") % {"name": name, "limit": max_bytes()},
                errors={
                    key: [
                        _("%(size)s bytes; the limit is %(limit)s.")
                        % {"size": upload.size, "limit": max_bytes()}
                    ]
                },
            )
        upload.seek(0)
        data = upload.read(max_bytes() + 1)
        if len(data) > max_bytes():
            raise TooLarge(
                _("%(name)s is over %(limit)s bytes.") % {"name": name, "limit": max_bytes()},
                errors={key: [_("Too large.")]},
            )
        content_type = sniff(data[:16])
        if content_type is None:
            raise Invalid(
                _("%(name)s is not a PNG, JPEG, GIF or WebP image.") % {"name": name},
                errors={key: [_("Only images (PNG, JPEG, GIF, WebP) are accepted, by content.")]},
            )
        out.append(
            {
                "name": name,
                "content_type": content_type,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "data": data,
            }
        )
    return out


def store(finding, items: list[dict]) -> None:
    from .models import Evidence

    for item in items:
        evidence = Evidence(
            finding=finding,
            name=item["name"],
            content_type=item["content_type"],
            size=item["size"],
            sha256=item["sha256"],
        )
        evidence.file.save("evidence", ContentFile(item["data"]), save=False)
        evidence.save()
