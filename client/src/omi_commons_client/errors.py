"""What can go wrong, as exceptions that carry the server's own words.

Every 4xx of the OMI Commons API has the shape ``{"detail": "...", "errors": {field: [msg]}}``;
:class:`ApiError` keeps both, and ``str(error)`` reads like the server's message followed by one
line per field. The status picks the subclass, so callers can ``except NotFound``.
"""

from __future__ import annotations

from typing import Any


class OmiError(Exception):
    """Anything the client reports (the ``omi`` command prints it and exits non-zero)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message}


class ApiError(OmiError):
    """The server answered with an error status."""

    status: int = 0

    def __init__(
        self,
        message: str,
        *,
        status: int,
        errors: dict[str, list[str]] | None = None,
        url: str = "",
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.errors = errors or {}
        self.url = url
        self.retry_after = retry_after

    def __str__(self) -> str:
        lines = [self.message]
        for field, messages in self.errors.items():
            for text in messages:
                if text not in self.message:
                    lines.append(f"  {field}: {text}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "detail": self.message, "errors": self.errors}


class BadRequest(ApiError):
    """400: the input is wrong; ``errors`` says where."""


class AuthenticationFailed(ApiError):
    """401: no token, or the server refused it."""


class PermissionDenied(ApiError):
    """403: signed in, but not allowed."""


class NotFound(ApiError):
    """404: it does not exist, or it is private and not yours (the same answer, on purpose)."""


class Conflict(ApiError):
    """409: the state forbids it (a version label that exists, an offset that moved)."""


class Gone(ApiError):
    """410: an upload that expired, was deleted or was already used."""


class TooLarge(ApiError):
    """413: over the server's size limit or your upload quota."""


class Locked(ApiError):
    """423: another request is writing this upload."""


class ChecksumMismatch(ApiError):
    """460: the bytes arrived damaged (tus checksum extension)."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` says for how long, when the server said."""


class ServerError(ApiError):
    """5xx: the server failed or is unavailable."""


class TransferError(OmiError):
    """The connection failed (refused, reset, timed out), after every retry."""


class IntegrityError(OmiError):
    """The server's sha256 of what it stored is not the sha256 of the local file."""


class UploadInterrupted(OmiError):
    """An upload stopped part-way; running the same upload again resumes it."""

    def __init__(self, message: str, *, offset: int, length: int, url: str):
        super().__init__(message)
        self.offset = offset
        self.length = length
        self.url = url

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": self.message,
            "offset": self.offset,
            "length": self.length,
            "url": self.url,
        }


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    410: Gone,
    413: TooLarge,
    423: Locked,
    429: RateLimited,
    460: ChecksumMismatch,
}


def error_class(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)
