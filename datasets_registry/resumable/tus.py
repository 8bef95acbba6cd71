"""The tus 1.0 headers: parsing what a client sends, formatting what the server answers.

Pure functions, no Django, each raising ``config.errors.Invalid`` keyed by the header at fault.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

from django.utils.translation import gettext

from config.errors import Invalid

VERSION = "1.0.0"
EXTENSIONS = ("creation", "expiration", "termination", "checksum")
# sha1 because the checksum extension requires it of every server; sha256 because it is what the
# registry records.
CHECKSUM_ALGORITHMS: dict[str, Callable[[], hashlib._Hash]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}
MAX_METADATA_HEADER = 8 * 1024
_KEY_CHARS = {chr(c) for c in range(33, 127)} - {","}


def _invalid(header: str, message: str) -> Invalid:
    return Invalid(f"{header}: {message}", errors={header: [message]})


def parse_non_negative(header: str, raw: str | None, *, required: bool = True) -> int | None:
    if raw is None or raw.strip() == "":
        if required:
            raise _invalid(header, gettext("This header is required."))
        return None
    text = raw.strip()
    if not text.isdigit():
        raise _invalid(
            header,
            gettext("%(value)s is not a non-negative whole number of bytes.")
            % {"value": repr(raw)},
        )
    return int(text)


def parse_metadata(raw: str | None) -> dict[str, str | None]:
    """``Upload-Metadata``: ``key base64value,key2 base64value2,flag``.

    Values that are UTF-8 text are decoded; a binary value is kept as its base64 text, since we
    only ever read text values (``filename``, ``dataset``). A key repeated, empty, or with
    characters outside printable ASCII is refused: the header is echoed back in HEAD responses,
    so nothing that could smuggle a header may pass.
    """
    if raw is None or raw.strip() == "":
        return {}
    if len(raw) > MAX_METADATA_HEADER:
        raise _invalid(
            "Upload-Metadata",
            gettext("At most %(max)s characters.") % {"max": f"{MAX_METADATA_HEADER:,}"},
        )
    out: dict[str, str | None] = {}
    for pair in raw.split(","):
        pair = pair.strip()
        key, _, value = pair.partition(" ")
        if not key or any(ch not in _KEY_CHARS for ch in key):
            raise _invalid(
                "Upload-Metadata",
                gettext(
                    "%(key)s is not a key: keys are non-empty printable ASCII without spaces or "
                    "commas."
                )
                % {"key": repr(key)},
            )
        if key in out:
            raise _invalid(
                "Upload-Metadata", gettext("The key %(key)s appears twice.") % {"key": repr(key)}
            )
        value = value.strip()
        if not value:
            out[key] = None
            continue
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(
                "Upload-Metadata",
                gettext("The value of %(key)s is not Base64.") % {"key": repr(key)},
            ) from None
        try:
            out[key] = decoded.decode("utf-8")
        except UnicodeDecodeError:
            out[key] = value
    return out


def format_metadata(values: dict[str, str | None]) -> str:
    parts = []
    for key, value in values.items():
        if value is None:
            parts.append(key)
        else:
            parts.append(f"{key} {base64.b64encode(value.encode()).decode()}")
    return ",".join(parts)


def parse_checksum(raw: str | None) -> tuple[str, bytes] | None:
    """``Upload-Checksum: sha256 <base64 digest>`` → ``("sha256", digest)``."""
    if raw is None or raw.strip() == "":
        return None
    algorithm, _, encoded = raw.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise _invalid(
            "Upload-Checksum",
            gettext("%(algorithm)s is not supported; use one of %(algorithms)s.")
            % {"algorithm": repr(algorithm), "algorithms": ", ".join(CHECKSUM_ALGORITHMS)},
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("Upload-Checksum", gettext("The checksum is not Base64.")) from None
    if len(digest) != CHECKSUM_ALGORITHMS[algorithm]().digest_size:
        raise _invalid(
            "Upload-Checksum",
            gettext("A %(algorithm)s digest is %(size)s bytes.")
            % {"algorithm": algorithm, "size": CHECKSUM_ALGORITHMS[algorithm]().digest_size},
        )
    return algorithm, digest


def http_date(moment: datetime) -> str:
    """RFC 7231 IMF-fixdate, e.g. ``Wed, 25 Jun 2014 16:00:00 GMT``."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def checksum_header(algorithm: str, data: bytes) -> str:
    """What a client sends for ``data`` (tests, and our own client does the same)."""
    return f"{algorithm} {base64.b64encode(CHECKSUM_ALGORITHMS[algorithm](data).digest()).decode()}"
