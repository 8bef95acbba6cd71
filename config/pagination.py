"""The API's one paginator: ``{"next": url | null, "previous": url | null, "results": [...]}``.

``?page_size=`` is a whole number from 1 to the list's maximum (200; 500 for a validation run's
issues), 50 when left out; any other value is a 400 with the reason on ``page_size``, never
silently clamped. A cursor the server did not hand out is a 400 on ``cursor``. README.md ("The
API") documents the same.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response

PAGE_SIZE_PARAM = "page_size"
CURSOR_PARAM = "cursor"


def page_size_of(request, *, default: int, maximum: int) -> int:
    """``?page_size=`` of ``request``, checked: ``default`` when absent, else 1 to ``maximum``."""
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        raise exceptions.ValidationError(
            {
                PAGE_SIZE_PARAM: [
                    _("A whole number from 1 to %(max)s (got %(value)s).")
                    % {"max": maximum, "value": repr(raw)}
                ]
            }
        )
    return value


def invalid_cursor() -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {CURSOR_PARAM: [_("Invalid cursor: use the next and previous links of a page.")]}
    )


class CursorPagination(pagination.CursorPagination):
    """Querysets; views set ``ordering`` to a stable, unique key."""

    ordering = "-pk"
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = 200

    def get_page_size(self, request) -> int:
        return page_size_of(request, default=self.page_size, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        # The schema states the bounds the server enforces.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == PAGE_SIZE_PARAM:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters

    def decode_cursor(self, request):
        # DRF's decoder skips what is not Base64 (``@@`` reads as the first page): a cursor must
        # be exactly what ``encode_cursor`` wrote, a query string of o, r and p.
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            try:
                text = base64.b64decode(raw.encode("ascii"), validate=True).decode("ascii")
            except (ValueError, binascii.Error, UnicodeError):
                raise invalid_cursor() from None
            keys = {part.partition("=")[0] for part in text.split("&") if part}
            if not keys or not keys <= {"o", "r", "p"}:
                raise invalid_cursor()
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise invalid_cursor() from None


class PositionPagination:
    """The same shape over a source read by position rather than a queryset (a validation run's
    stored report): the cursor is an opaque offset, ``fetch(offset, limit)`` returns the rows
    there and whether more follow."""

    page_size = 50
    max_page_size = 500

    def get_page_size(self, request) -> int:
        return page_size_of(request, default=self.page_size, maximum=self.max_page_size)

    def get_offset(self, request) -> int:
        cursor = request.query_params.get(CURSOR_PARAM)
        if cursor is None:
            return 0
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            kind, _, value = text.partition(":")
            offset = int(value)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid_cursor() from None
        if kind != "o" or offset < 0:
            raise invalid_cursor()
        return offset

    @staticmethod
    def encode(offset: int) -> str:
        return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")

    def response(
        self, request, results: Sequence[Any], *, offset: int, size: int, more: bool
    ) -> Response:
        def link(position: int) -> str:
            params = request.query_params.copy()
            params[CURSOR_PARAM] = self.encode(position)
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "next": link(offset + size) if more else None,
                "previous": link(max(0, offset - size)) if offset > 0 else None,
                "results": list(results),
            }
        )
