"""The surveys API (documented in docs/surveys.md, "API"): thin views over services and
selectors."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from config import clients
from config.errors import NotAllowed

from . import definition as definition_format
from . import exports, selectors, services
from .models import Question, Section, Survey
from .serializers import (
    ResponseCreatedOutput,
    ResponseInput,
    ResultsOutput,
    SurveyDetailOutput,
    SurveyListOutput,
    TransitionInput,
)


def client_key(request) -> str:
    """What identifies a not-signed-in client for rate limiting: the platform's one answer."""
    return clients.client_key(request)


class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Surveys I may see; create from a definition; answer; results; owner exports."""

    lookup_field = "slug"
    ordering = "-id"
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Survey.objects.none()
        qs = Survey.objects.visible_to(self.request.user).select_related(
            "group", "previous_version"
        )
        if self.action == "results":
            # The published results come from these: no query of their own.
            qs = qs.select_related("snapshot", "live_results")
        if self.action == "retrieve":
            questions = Question.objects.prefetch_related("options", "rows")
            qs = qs.prefetch_related(
                Prefetch(
                    "sections",
                    queryset=Section.objects.prefetch_related(
                        Prefetch("questions", queryset=questions)
                    ),
                )
            )
        return qs

    def get_serializer_class(self):
        return SurveyDetailOutput if self.action == "retrieve" else SurveyListOutput

    def filter_queryset(self, queryset):
        # ?status= filters the list. One survey is found by its slug alone, without building
        # the filter's form on every answer submitted.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={201: SurveyDetailOutput},
        description="Create a draft survey from a definition (omi-survey/1, "
        "surveys/definition.schema.json). Staff, or a chair of the owning group.",
    )
    def create(self, request):
        if not request.user.is_authenticated:
            raise NotAllowed(_("Sign in to create a survey."))
        survey = services.survey_create(definition=request.data, actor=request.user)
        survey = self.get_queryset().model.objects.get(pk=survey.pk)
        return Response(
            SurveyDetailOutput(survey, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ResponseInput, responses={201: ResponseCreatedOutput})
    @action(detail=True, methods=["post"], permission_classes=[AllowAny])
    def responses(self, request, slug=None):
        """Answer the survey: 201; 400 errors by question id; 403 not open or not in the
        audience; 409 already answered. Surveys for "anyone" accept answers without sign-in."""
        survey = self.get_object()
        data = ResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.response_submit(
            survey=survey,
            user=request.user,
            answers=data.validated_data["answers"],
            strict=True,
            client_key=client_key(request),
        )
        return Response(
            {"survey": survey.slug, "submitted_on": response.submitted_on},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ResponseInput, responses={200: ResponseCreatedOutput})
    @action(
        detail=True,
        methods=["put"],
        url_path="responses/mine",
        permission_classes=[IsAuthenticated],
    )
    def my_response(self, request, slug=None):
        """Replace my answers until the close, where the survey allows it (confidential and
        named surveys with ``allow_edit``): 200; 400; 403 not allowed; 404 not answered yet."""
        survey = self.get_object()
        data = ResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.response_update(
            survey=survey, user=request.user, answers=data.validated_data["answers"]
        )
        return Response({"survey": survey.slug, "submitted_on": response.submitted_on})

    @extend_schema(
        responses={200: ResultsOutput},
        parameters=[
            OpenApiParameter("filter_question", int, description="Cross-tab: a question id."),
            OpenApiParameter("filter_option", int, description="Cross-tab: an option id."),
        ],
    )
    @action(detail=True, methods=["get"], permission_classes=[AllowAny])
    def results(self, request, slug=None):
        """Results, respecting the survey's visibility; counts below k suppressed for everyone
        but owners. Closed surveys answer with their frozen snapshot and its sha256."""
        survey = self.get_object()
        fq, fo = selectors.parse_filter(request.query_params)
        doc = selectors.results_for(
            survey=survey, user=request.user, filter_question=fq, filter_option=fo
        )
        return Response(doc)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], permission_classes=[AllowAny])
    def definition(self, request, slug=None):
        """The survey's definition (omi-survey/1): re-importable with POST /surveys/."""
        survey = self.get_object()
        return Response(definition_format.export(survey))

    @extend_schema(request=TransitionInput, responses={200: SurveyListOutput})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def transitions(self, request, slug=None):
        """Open a draft or close an open survey (owners)."""
        survey = self.get_object()
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["to"] == "open":
            survey = services.survey_open(survey=survey, actor=request.user)
        else:
            survey = services.survey_close(survey=survey, actor=request.user)
        return Response(SurveyListOutput(survey, context={"request": request}).data)

    @extend_schema(request=None, responses={201: SurveyListOutput})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def versions(self, request, slug=None):
        """Copy the survey into a new draft version (owners)."""
        survey = services.survey_new_version(survey=self.get_object(), actor=request.user)
        return Response(
            SurveyListOutput(survey, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SurveyExportView(GenericAPIView):
    """Every response of a survey (owners only): ``export.csv``, ``export.json``,
    ``export.xlsx`` and ``export.codebook.csv`` (the meaning of each CSV column and code)."""

    permission_classes = [IsAuthenticated]
    lookup_field = "slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Survey.objects.none()
        return Survey.objects.visible_to(self.request.user)

    @extend_schema(
        operation_id="surveys_export",
        # Each format's own media type (exports.FORMATS): the {fmt} suffix picks one.
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="export.csv, export.codebook.csv (UTF-8)."
            ),
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="export.json: survey, version, definition, codebook, columns, "
                "responses.",
            ),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="export.xlsx."),
        },
        parameters=[
            OpenApiParameter(
                "fmt", str, OpenApiParameter.PATH, enum=["csv", "json", "xlsx", "codebook.csv"]
            )
        ],
    )
    def get(self, request, slug=None, fmt=None):
        survey = self.get_object()
        if not selectors.is_owner(request.user, survey):
            raise NotAllowed(_("Only the survey's owners may export its responses."))
        return exports.download(survey, fmt)
