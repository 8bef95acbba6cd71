"""API: a version's latest validation run, re-validation, its issues and its report."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Conflict
from config.pagination import PositionPagination
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
            raise NotFound(_("This version has not been validated yet."))
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


class IssuesView(APIView):
    """Issues of the latest run's full report, in row order, filtered by rule and severity."""

    paginator = PositionPagination()

    @extend_schema(
        parameters=[
            OpenApiParameter("rule", str, description="A rule code, e.g. caption_empty."),
            OpenApiParameter("severity", str, enum=["error", "warning"]),
            OpenApiParameter("cursor", str, description="From a page's next or previous link."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": PositionPagination.max_page_size},
                description=f"1 to {PositionPagination.max_page_size} "
                f"(default {PositionPagination.page_size}); anything else is a 400.",
            ),
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
            raise NotFound(_("This version has not been validated yet."))
        rule = request.query_params.get("rule", "")
        severity = request.query_params.get("severity", "")
        errors = {}
        if rule and rule not in RULES:
            errors["rule"] = [_("Unknown rule %(rule)s.") % {"rule": repr(rule)}]
        if severity and severity not in selectors.SEVERITIES:
            errors["severity"] = [_("Use error or warning.")]
        try:
            size = self.paginator.get_page_size(request)
        except ValidationError as exc:
            errors.update(exc.detail)
        if errors:
            raise ValidationError(errors)
        if not run.report:
            raise Conflict(
                _("The latest run is %(status)s; issues are available once it has succeeded.")
                % {"status": run.get_status_display().lower()}
            )
        offset = self.paginator.get_offset(request)
        results, more = selectors.report_page(
            run, rule=rule, severity=severity, offset=offset, limit=size
        )
        return self.paginator.response(request, results, offset=offset, size=size, more=more)


class ReportView(APIView):
    @extend_schema(
        operation_id="datasets_versions_validation_report_retrieve",
        responses={(200, "application/gzip"): bytes},
        summary="The latest run's full report (gzip JSON Lines, sorted by row)",
    )
    def get(self, request, slug: str, version: str):
        obj, run = _latest(request, slug, version)
        if run is None or not run.report:
            raise NotFound(_("No report yet: the latest run has not succeeded."))
        response = FileResponse(
            default_storage.open(run.report.name, "rb"),
            content_type="application/gzip",
            as_attachment=True,
            filename=f"{obj.dataset.slug}-{obj.version}-validation-{run.pk}.jsonl.gz",
        )
        return response
