"""API: a version's latest validation run, re-validation, its issues and its report."""

from __future__ import annotations

import base64
import binascii

from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Conflict
from datasets_registry.captions import RULES
from datasets_registry.selectors import version_for

from . import selectors, services
from .serializers import IssueSerializer, ValidationRunSerializer


def _latest(request, slug: str, version: str):
    obj = version_for(request.user, slug, version)  # 404 for what the user cannot see
    run = selectors.latest_run(obj)
    return obj, run


class ValidationView(APIView):
    @extend_schema(responses={200: ValidationRunSerializer}, summary="The latest validation run")
    def get(self, request, slug: str, version: str):
        _obj, run = _latest(request, slug, version)
        if run is None:
            raise NotFound("This version has not been validated yet.")
        return Response(ValidationRunSerializer(run, context={"request": request}).data)

    @extend_schema(
        request=None,
        responses={201: ValidationRunSerializer},
        summary="Re-validate against the dataset's current standard version (maintainers)",
    )
    def post(self, request, slug: str, version: str):
        obj = version_for(request.user, slug, version)
        run = services.run_request(version=obj, actor=request.user)
        return Response(
            ValidationRunSerializer(run, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError
        return offset
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": ["Invalid cursor."]}) from None


class IssuesView(APIView):
    """Issues of the latest run's full report, in row order, filtered by rule and severity."""

    @extend_schema(
        parameters=[
            OpenApiParameter("rule", str, description="A rule code, e.g. caption_empty."),
            OpenApiParameter("severity", str, enum=["error", "warning"]),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int, description="1 to 500 (default 50)."),
        ],
        responses={
            200: inline_serializer(
                "IssuePage",
                {
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": IssueSerializer(many=True),
                },
            )
        },
        summary="Issues of the latest validation run",
    )
    def get(self, request, slug: str, version: str):
        _obj, run = _latest(request, slug, version)
        if run is None:
            raise NotFound("This version has not been validated yet.")
        rule = request.query_params.get("rule", "")
        severity = request.query_params.get("severity", "")
        errors = {}
        if rule and rule not in RULES:
            errors["rule"] = [f"Unknown rule {rule!r}."]
        if severity and severity not in ("error", "warning"):
            errors["severity"] = ["Use error or warning."]
        try:
            size = int(request.query_params.get("page_size", 50))
            if not 1 <= size <= 500:
                raise ValueError
        except ValueError:
            errors["page_size"] = ["A number from 1 to 500."]
            size = 50
        if errors:
            raise ValidationError(errors)
        if not run.report:
            raise Conflict(
                f"The latest run is {run.status}; issues are available once it has succeeded."
            )
        offset = _decode(request.query_params["cursor"]) if "cursor" in request.query_params else 0
        results, more = selectors.report_page(
            run, rule=rule, severity=severity, offset=offset, limit=size
        )

        def link(pos: int) -> str:
            params = request.query_params.copy()
            params["cursor"] = _encode(pos)
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "next": link(offset + size) if more else None,
                "previous": link(max(0, offset - size)) if offset > 0 else None,
                "results": results,
            }
        )


class ReportView(APIView):
    @extend_schema(
        operation_id="datasets_versions_validation_report_retrieve",
        responses={(200, "application/gzip"): bytes},
        summary="The latest run's full report (gzip JSON Lines, sorted by row)",
    )
    def get(self, request, slug: str, version: str):
        obj, run = _latest(request, slug, version)
        if run is None or not run.report:
            raise NotFound("No report yet: the latest run has not succeeded.")
        response = FileResponse(
            default_storage.open(run.report.name, "rb"),
            content_type="application/gzip",
            as_attachment=True,
            filename=f"{obj.dataset.slug}-{obj.version}-validation-{run.pk}.jsonl.gz",
        )
        return response
