"""A cache or broker that does not answer is an outage, not a bug: 503 with a clear message.

``outage_of(exc)`` names the service behind an exception (``"cache"``, ``"broker"``) or returns
None. ``OutageMiddleware`` turns such an exception raised by a view into a 503 page (or the API's
error shape under ``/api/``) instead of a 500; ``config.api.exception_handler`` does the same for
DRF views, and ``config.views.server_error`` for anything raised outside a view.

Nothing here retries: the work that was committed before the outage stays committed (the
validation sweeper re-dispatches what the broker lost), and the person is told to try again.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

MESSAGES = {
    "cache": gettext_lazy(
        "A service this site depends on (its cache) is not answering. Please try again in a moment."
    ),
    "broker": gettext_lazy(
        "A service this site depends on (its task queue) is not answering. "
        "Please try again in a moment."
    ),
}


def _outage_types() -> tuple[tuple[type[BaseException], str], ...]:
    types: list[tuple[type[BaseException], str]] = []
    try:
        import redis.exceptions

        types += [
            (redis.exceptions.ConnectionError, "cache"),
            (redis.exceptions.TimeoutError, "cache"),
            (redis.exceptions.BusyLoadingError, "cache"),
        ]
    except ImportError:  # redis is optional when nothing uses it
        pass
    try:
        import kombu.exceptions

        types.append((kombu.exceptions.OperationalError, "broker"))
    except ImportError:
        pass
    return tuple(types)


_TYPES = _outage_types()


def outage_of(exc: BaseException | None) -> str | None:
    """``"cache"`` or ``"broker"`` when ``exc`` (or what caused it) is an unreachable service."""
    from .errors import Unavailable

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, Unavailable):
            return "broker" if "broker" in exc.message else "cache"
        for kind, service in _TYPES:
            if isinstance(exc, kind):
                # A broker error that wraps a Redis one is still the broker's.
                if service == "cache" and _is_broker_frame(exc):
                    return "broker"
                return service
        exc = exc.__cause__ or exc.__context__
    return None


def _is_broker_frame(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(("kombu.", "celery.")):
            return True
        tb = tb.tb_next
    return False


def message_for(exc: BaseException) -> str:
    from .errors import Unavailable

    if isinstance(exc, Unavailable):
        return exc.message
    return str(MESSAGES.get(outage_of(exc) or "cache", MESSAGES["cache"]))


def response_for(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 answer: the API's error shape under ``/api/``, the site's page elsewhere."""
    service = outage_of(exc) or "cache"
    message = message_for(exc)
    logger.error(
        "%s unreachable while serving %s %s: %r", service, request.method, request.path, exc
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "errors": {}}, status=503)
    else:
        # Rendered without context processors: they may need the service that is down.
        html = loader.get_template("error.html").render(
            {"status": 503, "title": _("Temporarily unavailable"), "message": message}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if outage_of(exc) is None:
            return None
        return response_for(request, exc)
