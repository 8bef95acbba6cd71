"""The limits of resumable uploads, each a setting that an environment variable overrides.

They are read when used (not at import) so that a test or a deployment can change them with
``settings``. The size limit is the registry's own ``DATASET_UPLOAD_MAX_BYTES``: a file that may
not be uploaded directly may not be uploaded in pieces either.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings

from config.env import env_int, env_path, env_size

_DEFAULTS = {
    # Where partial files live while their bytes arrive (local disk of the web host).
    "RESUMABLE_UPLOAD_DIR": env_path("RESUMABLE_UPLOAD_DIR", settings.DATA_DIR / "uploads"),
    # An upload expires this long after its last byte arrived (or after it completed, if it is
    # never used): abandoned bytes do not stay on disk for ever.
    "RESUMABLE_UPLOAD_EXPIRY_SECONDS": env_int(
        "RESUMABLE_UPLOAD_EXPIRY_SECONDS", 24 * 3600, minimum=60
    ),
    # Per person: bytes reserved by uploads in progress or completed and not yet used, and how
    # many such uploads at once.
    "RESUMABLE_UPLOAD_QUOTA_BYTES": env_size("RESUMABLE_UPLOAD_QUOTA_BYTES", 20 * 1024**3),
    "RESUMABLE_UPLOAD_MAX_ACTIVE": env_int("RESUMABLE_UPLOAD_MAX_ACTIVE", 10, minimum=1),
    # A PATCH without Upload-Checksum is committed every this many bytes, so a killed process
    # loses at most this much of it. A PATCH with a checksum is all or nothing (the spec).
    "RESUMABLE_UPLOAD_CHECKPOINT_BYTES": env_size(
        "RESUMABLE_UPLOAD_CHECKPOINT_BYTES", 16 * 1024**2
    ),
    # Ended uploads (used, terminated, expired) are remembered this long, to answer 410 Gone.
    "RESUMABLE_UPLOAD_KEEP_ENDED_SECONDS": env_int(
        "RESUMABLE_UPLOAD_KEEP_ENDED_SECONDS", 7 * 24 * 3600, minimum=0
    ),
}


def _get(name: str):
    return getattr(settings, name, _DEFAULTS[name])


def max_size() -> int:
    return int(settings.DATASET_UPLOAD_MAX_BYTES)


def upload_dir() -> Path:
    return Path(_get("RESUMABLE_UPLOAD_DIR"))


def expiry() -> timedelta:
    return timedelta(seconds=int(_get("RESUMABLE_UPLOAD_EXPIRY_SECONDS")))


def quota_bytes() -> int:
    return int(_get("RESUMABLE_UPLOAD_QUOTA_BYTES"))


def max_active() -> int:
    return int(_get("RESUMABLE_UPLOAD_MAX_ACTIVE"))


def checkpoint_bytes() -> int:
    return int(_get("RESUMABLE_UPLOAD_CHECKPOINT_BYTES"))


def keep_ended() -> timedelta:
    return timedelta(seconds=int(_get("RESUMABLE_UPLOAD_KEEP_ENDED_SECONDS")))
