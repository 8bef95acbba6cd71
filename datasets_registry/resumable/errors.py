"""The protocol's own status codes, as members of the ``config.errors`` family.

Each subclasses the domain error whose meaning it refines, so a page or an API view that knows
only ``config.errors`` still treats it right (a gone upload is a kind of not found).
"""

from config.errors import Conflict, DomainError, Invalid, NotFound


class UploadGone(NotFound):
    """Expired, terminated or already used: tus answers 410 for an upload it remembers."""

    status_code = 410


class UploadTooLarge(DomainError):
    status_code = 413


class UploadLocked(Conflict):
    """Another request is writing this upload's bytes right now."""

    status_code = 423


class ChecksumMismatch(Invalid):
    """tus's checksum extension: the body does not hash to its Upload-Checksum."""

    status_code = 460


class UnsupportedMediaType(Invalid):
    status_code = 415


class UnsupportedVersion(DomainError):
    """Tus-Resumable names a version of the protocol this server does not speak."""

    status_code = 412
