"""REST API of red-team campaigns and findings (the contract in issue 14; docs/redteam.md)."""

from __future__ import annotations

import json

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Invalid, NotFound
from config.parsers import JSONParser
from datasets_registry.api import ERRORS
from datasets_registry.serializers import ErrorOutput
from models_registry import selectors as model_selectors

from . import avid, selectors, services
from .models import Campaign, Evidence
from .serializers import (
    CampaignInput,
    CampaignOutput,
    FindingCreated,
    FindingInput,
    FindingOutput,
    FindingTransitionInput,
    InvitationInput,
    InvitationOutput,
)

CONFLICT = OpenApiResponse(ErrorOutput, description="The finding's state forbids it.")
TOO_LARGE = OpenApiResponse(ErrorOutput, description="An image is over REDTEAM_EVIDENCE_MAX_BYTES.")
FINDING_FORM = inline_serializer(
    "FindingMultipartInput",
    {
        "payload": serializers.CharField(
            help_text=gettext_lazy("The finding as JSON (the FindingInput object).")
        ),
        "evidence": serializers.ListField(
            child=serializers.FileField(),
            required=False,
            help_text=gettext_lazy("PNG, JPEG, GIF or WebP images."),
        ),
    },
)


@extend_schema(tags=["red team"])
class CampaignListCreate(generics.ListAPIView):
    """Campaigns on a model version; POST (a chair of the model's group) opens one."""

    serializer_class = CampaignOutput
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticatedOrReadOnly]

    def _version(self):
        return model_selectors.version_for(
            self.request.user, self.kwargs["slug"], self.kwargs["version"]
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return (
            selectors.campaign_queryset()
            .filter(version=self._version())
            .order_by("-starts_at", "-pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page_ids", None)
        if page:
            context["counts"] = selectors.counts_for(page)
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_ids = [c.pk for c in (page if page is not None else queryset)]
        return page

    @extend_schema(responses={200: CampaignOutput(many=True), 404: ERRORS[404]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CampaignInput, responses={201: CampaignOutput, **ERRORS})
    def post(self, request, *args, **kwargs):
        version = self._version()
        data = CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_create(
            actor=request.user, version=version, **data.validated_data
        )
        campaign = selectors.campaign_for(request.user, campaign.pk)
        return Response(CampaignOutput(campaign).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["red team"])
class CampaignDetail(generics.RetrieveAPIView):
    serializer_class = CampaignOutput

    def get_object(self):
        return selectors.campaign_for(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={200: CampaignOutput, 404: ERRORS[404]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["red team"])
class CampaignClose(APIView):
    """A chair of the model's group ends a campaign early (duplicates and not-applicable
    findings are disclosed, as at its end time)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(request=None, responses={200: CampaignOutput, **ERRORS})
    def post(self, request, pk):
        campaign = selectors.campaign_for(request.user, pk)
        services.campaign_close(campaign, actor=request.user)
        return Response(CampaignOutput(selectors.campaign_for(request.user, pk)).data)


@extend_schema(tags=["red team"])
class InvitationCreate(APIView):
    """The triage team invites someone by username."""

    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput, **ERRORS})
    def post(self, request, pk):
        campaign = selectors.campaign_for(request.user, pk)
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invite(actor=request.user, campaign=campaign, **data.validated_data)
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["red team"])
class InvitationAccept(APIView):
    """The invitee accepts."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(request=None, responses={200: InvitationOutput, **ERRORS})
    def post(self, request, pk):
        campaign = selectors.campaign_for(request.user, pk)
        invitation = services.accept(user=request.user, campaign=campaign)
        return Response(InvitationOutput(invitation).data)


@extend_schema(tags=["red team"])
class FindingListCreate(generics.ListAPIView):
    """Findings of a campaign that you may see (yours, all if you triage, disclosed ones); POST
    files one (JSON, or multipart with ``payload`` and ``evidence`` images)."""

    serializer_class = FindingOutput
    parser_classes = [JSONParser, MultiPartParser]
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.finding_queryset().none()
        campaign = selectors.campaign_for(self.request.user, self.kwargs["pk"])
        return selectors.findings_for(self.request.user, campaign).prefetch_related(
            "history__actor", "evidence"
        )

    @extend_schema(responses={200: FindingOutput(many=True), 404: ERRORS[404]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"application/json": FindingInput, "multipart/form-data": FINDING_FORM},
        responses={201: FindingCreated, **ERRORS, 413: TOO_LARGE},
    )
    def post(self, request, pk):
        campaign = selectors.campaign_for(request.user, pk)
        files = []
        if request.content_type.startswith("multipart/"):
            try:
                data = json.loads(request.data.get("payload") or "")
            except ValueError as exc:
                raise Invalid(_("payload is not JSON."), errors={"payload": [str(exc)]}) from exc
            if not isinstance(data, dict):
                raise Invalid(
                    _("payload must be a JSON object."), errors={"payload": [_("An object.")]}
                )
            files = request.FILES.getlist("evidence")
        else:
            data = request.data if isinstance(request.data, dict) else {}
        finding = services.finding_file(
            actor=request.user, campaign=campaign, data=data, files=files
        )
        return Response(FindingCreated(finding).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["red team"])
class FindingDetail(generics.RetrieveAPIView):
    """A finding: 404 unless you reported it, triage it, or it is disclosed (then with
    ``content`` and ``salt``, so anyone can recompute the commitment)."""

    serializer_class = FindingOutput

    def get_object(self):
        return selectors.finding_for(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={200: FindingOutput, 404: ERRORS[404]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["red team"])
class FindingTransition(APIView):
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        request=FindingTransitionInput,
        responses={200: FindingOutput, **ERRORS, 409: CONFLICT},
    )
    def post(self, request, pk):
        selectors.finding_for(request.user, pk)  # 404 unless you may see it
        data = FindingTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.transition(actor=request.user, finding=pk, **data.validated_data)
        finding = selectors.finding_for(request.user, pk)
        return Response(FindingOutput(finding).data)


@extend_schema(tags=["red team"])
class FindingAvid(APIView):
    """A disclosed finding as an AVID report (404 before disclosure, for everyone)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ERRORS[404]})
    def get(self, request, pk):
        finding = selectors.finding_for(request.user, pk)
        if not finding.is_disclosed:
            raise NotFound(_("An AVID report exists once the finding is disclosed."))
        return Response(avid.report(finding, base_url=request.build_absolute_uri("/").rstrip("/")))


@extend_schema(tags=["red team"])
class EvidenceFile(APIView):
    """An evidence image, to people who may see its finding."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY, 404: ERRORS[404]})
    def get(self, request, pk, evidence):
        finding = selectors.finding_for(request.user, pk)
        item = Evidence.objects.filter(finding=finding, pk=evidence).first()
        if item is None:
            raise NotFound(_("No such evidence."))
        response = FileResponse(item.file.open("rb"), content_type=item.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="evidence-{item.pk}"'
        return response
