"""The API frame shared by every app: error shape, pagination, the resource index."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import exception_handler as drf_exception_handler

from . import outages
from .errors import DomainError, RateLimited


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error structure into ``{"field.sub.0": ["message"]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key == "non_field_errors" and not prefix else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


TRUE_WORDS = ("1", "true", "yes")
FALSE_WORDS = ("0", "false", "no")


def bool_param(request, name: str, default: bool = False) -> bool:
    """A boolean query parameter: true/1/yes or false/0/no; anything else (or the parameter
    given twice) is a 400 on ``name``, as the schema's ``type: boolean`` promises."""
    values = request.query_params.getlist(name)
    raw = values[0].lower() if values else ""
    if len(values) <= 1 and raw == "":
        return default  # left out, or given empty
    if len(values) > 1 or raw not in TRUE_WORDS + FALSE_WORDS:
        raise exceptions.ValidationError({name: [_("Use true or false (once).")]})
    return raw in TRUE_WORDS


def refuse_numbers_as_text() -> None:
    """A text field (``CharField`` and its kinds: slug, e-mail, URL…) takes strings only.

    DRF turns ``{"name": 0}`` into ``"0"``; the schema says ``type: string``, so a number is a
    400 ("Not a valid string."), as for every other type. Form bodies are strings anyway.
    Installed once by ``config.apps.PlatformConfig.ready``.
    """
    original = serializers.CharField.to_internal_value
    if getattr(original, "strict_text", False):
        return

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    to_internal_value.strict_text = True
    serializers.CharField.to_internal_value = to_internal_value


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every 4xx leaves the API as ``{"detail": "...", "errors": {field: [messages]}}``."""
    if isinstance(exc, DomainError):
        response = Response(error_body(exc.message, exc.errors), status=exc.status_code)
        if isinstance(exc, RateLimited) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        elif exc.status_code == 503:
            response["Retry-After"] = "30"
        return response
    if outages.outage_of(exc) is not None:
        # The cache or the broker is down: say so (503), never a 500.
        response = Response(error_body(outages.message_for(exc)), status=503)
        response["Retry-After"] = "30"
        outages.logger.error("%s unreachable in the API: %r", outages.outage_of(exc), exc)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.items()), None)
        detail = _("The request is invalid.")
        if first:
            field, messages = first
            detail = (
                messages[0]
                if field == "non_field_errors"
                else _("%(field)s: %(message)s") % {"field": field, "message": messages[0]}
            )
            if len(errors) > 1:
                more = sum(map(len, errors.values())) - 1
                detail = ngettext(
                    "%(detail)s (and %(count)s more)", "%(detail)s (and %(count)s more)", more
                ) % {"detail": detail, "count": more}
        response.data = error_body(detail, errors)
    else:
        data = response.data
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        response.data = error_body(str(detail))
    return response


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([])
def api_root(request, format=None):
    """The resources of the API, with links."""
    base = request.build_absolute_uri("/api/v1/")
    return Response(
        {
            "groups": base + "groups/",
            "ledger": base + "ledger/",
            "surveys": base + "surveys/",
            "standards": base + "standards/",
            "datasets": base + "datasets/",
            "tokens": base + "tokens/",
            "schema": request.build_absolute_uri(reverse("schema")),
            "docs": request.build_absolute_uri(reverse("api-docs")),
        }
    )
