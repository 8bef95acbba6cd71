"""Domain errors raised by services and understood by every entry point.

Services raise these with a message a person can act on; the API maps them to the project's error
shape and status code, and website views show the message next to the form or as a flash.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Invalid(DomainError):
    """The input is wrong: ``errors`` maps each field (or JSON pointer) to its messages."""

    status_code = 400


class NotAllowed(DomainError):
    """The actor may not do this."""

    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The request is valid, but the current state forbids it (an illegal transition, a duplicate)."""

    status_code = 409


class RateLimited(DomainError):
    """Too many attempts from this client or person; ``retry_after`` says when to try again."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A service the request needs (the cache, the broker) does not answer: 503, try again."""

    status_code = 503
