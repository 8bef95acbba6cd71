"""The site frame: home page, health check, error pages."""

import logging
import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from . import home as home_panels
from . import jsonsafe, outages

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", home_panels.collect(request))


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise; never cached by a proxy."""
    from django.core.cache import cache

    from .celery import app as celery_app
    from .tasks import HEARTBEAT_KEY

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy, whatever the driver raises
        logger.warning("healthz: database unreachable: %s", exc)
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:
        logger.warning("healthz: broker unreachable: %s", exc)
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    try:
        last_beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        last_beat = None
    body = {"status": "ok" if healthy else "unavailable", **checks, "worker_last_seen": last_beat}
    return JsonResponse(body, status=200 if healthy else 503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(
    request: HttpRequest,
    status: int,
    title: str,
    message: str,
    *,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """An error page, or the API's error shape under ``/api/``."""
    if _wants_json(request):
        return JsonResponse({"detail": message, "errors": errors or {}}, status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


_error = error_response


@requires_csrf_token
def bad_request(request, exception=None):
    if isinstance(exception, jsonsafe.UnstorableText):
        return _error(
            request,
            400,
            _("Bad request"),
            str(exception),
            errors={exception.field: [exception.reason]},
        )
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


@requires_csrf_token
def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("You may not do this.")
    return _error(request, 403, _("Not allowed"), message)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found"), _("There is nothing at this address."))


@requires_csrf_token
def server_error(request):
    # An unreachable cache or broker raised outside a view (in a middleware, say): still a 503.
    exc = sys.exc_info()[1]
    if outages.outage_of(exc) is not None:
        return outages.response_for(request, exc)
    # Rendered without the request context: the failure may lie in what a context needs.
    if _wants_json(request):
        return JsonResponse({"detail": _("Server error."), "errors": {}}, status=500)
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render(), status=500)


@require_POST
def markdown_preview(request):
    """The Markdown editors' preview: the text rendered by the one sanitiser the pages use
    (``config.markdown.render``), as an HTML fragment. Signed-in people only (everyone who can
    write Markdown is); at most ``PREVIEW_MAX_CHARS`` characters."""
    from .markdown import PREVIEW_MAX_CHARS
    from .markdown import render as render_markdown

    if not request.user.is_authenticated:
        return HttpResponse(_("Log in to preview."), status=403, content_type="text/plain")
    text = request.POST.get("text", "")
    if len(text) > PREVIEW_MAX_CHARS:
        return HttpResponse(
            _("Too long to preview: at most %(max)s characters.")
            % {"max": number_format(PREVIEW_MAX_CHARS, force_grouping=True)},
            status=400,
            content_type="text/plain",
        )
    html = render_markdown(text) or format_html('<p class="empty">{}</p>', _("Nothing to preview."))
    return HttpResponse(html, content_type="text/html; charset=utf-8")
