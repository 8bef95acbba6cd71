"""The notifications API: thin views (input serializer → service → output serializer)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import bool_param
from config.pagination import CursorPagination
from config.parsers import JSONParser
from governance.models import WorkingGroup

from . import dispatch, selectors, services
from .models import DeliveryAttempt, Notification, SubjectType, Webhook
from .serializers import (
    DeliveryOutput,
    FollowOutput,
    MarkReadInput,
    MarkReadOutput,
    NotificationOutput,
    PreferencesInput,
    PreferencesOutput,
    TestDeliveryOutput,
    WebhookCreatedOutput,
    WebhookInput,
    WebhookOutput,
    WebhookPatchInput,
)


class ByPk(CursorPagination):
    ordering = "-pk"


# --- Notifications ----------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter("unread", bool, description="1: only unread notifications.")]
)
class NotificationList(generics.ListAPIView):
    """My notifications, newest first."""

    serializer_class = NotificationOutput
    permission_classes = [IsAuthenticated]
    pagination_class = ByPk

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        unread = bool_param(self.request, "unread")
        return selectors.notifications_for(self.request.user, unread_only=unread)


class NotificationRead(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkReadInput, responses=MarkReadOutput)
    def post(self, request):
        """Mark notifications read: ``{"ids": [...]}`` or ``{"all": true}``."""
        data = MarkReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=request.user,
            ids=data.validated_data.get("ids"),
            everything=data.validated_data["all"],
        )
        return Response({"marked": marked})


class Preferences(APIView):
    permission_classes = [IsAuthenticated]
    # Nested switches: a JSON body only (a form cannot say {"kind": {"web": false}}).
    parser_classes = [JSONParser]

    @extend_schema(responses=PreferencesOutput)
    def get(self, request):
        return Response(services.preferences_of(request.user))

    @extend_schema(request=PreferencesInput, responses=PreferencesOutput)
    def put(self, request):
        """Set the e-mail frequency and any kinds' switches (kinds left out keep theirs)."""
        data = PreferencesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_update(
            user=request.user,
            email=data.validated_data.get("email"),
            kinds_=data.validated_data.get("kinds"),
        )
        return Response(services.preferences_of(request.user))


# --- Follow -----------------------------------------------------------------------------------


class Follow(APIView):
    """Follow (POST) or unfollow (DELETE) a group, a proposal, a dataset, a survey or a standard."""

    permission_classes = [IsAuthenticated]
    subject_type = ""

    def _ref(self, kwargs) -> str:
        if self.subject_type == SubjectType.PROPOSAL:
            return f"{kwargs['slug']}/{kwargs['number']}"
        return kwargs["slug"]

    @extend_schema(request=None, responses={200: FollowOutput, 201: FollowOutput})
    def post(self, request, **kwargs):
        ref = self._ref(kwargs)
        _, created = services.follow_add(user=request.user, subject_type=self.subject_type, ref=ref)
        return Response(
            {"subject": {"type": self.subject_type, "ref": ref}, "following": True},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Not following.")})
    def delete(self, request, **kwargs):
        services.follow_remove(
            user=request.user, subject_type=self.subject_type, ref=self._ref(kwargs)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def follow_view(subject_type: str):
    return type(
        f"Follow{subject_type.title()}", (Follow,), {"subject_type": subject_type}
    ).as_view()


# --- Webhooks ---------------------------------------------------------------------------------


class _WebhookScope(APIView):
    """A group's webhooks (``slug`` in the URL) for its chairs, or the site's for staff."""

    permission_classes = [IsAuthenticated]

    def group(self) -> WorkingGroup | None:
        slug = self.kwargs.get("slug")
        group = get_object_or_404(WorkingGroup, slug=slug) if slug else None
        services.require_manager(self.request.user, group)
        return group

    def hook(self) -> Webhook:
        group = self.group()
        return get_object_or_404(selectors.webhooks_of(group), pk=self.kwargs["pk"])


class WebhookList(_WebhookScope):
    @extend_schema(responses=WebhookOutput(many=True))
    def get(self, request, **kwargs):
        return Response(WebhookOutput(selectors.webhooks_of(self.group()), many=True).data)

    @extend_schema(request=WebhookInput, responses={201: WebhookCreatedOutput})
    def post(self, request, **kwargs):
        """Set up a webhook; the answer shows its secret, the only time it is readable."""
        group = self.group()
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        hook, secret = services.webhook_create(
            actor=request.user,
            group=group,
            url=d["url"],
            format=d["format"],
            events_=d["events"],
            secret=d.get("secret") or None,
        )
        return Response(
            WebhookCreatedOutput(hook, context={"secret": secret}).data,
            status=status.HTTP_201_CREATED,
        )


class WebhookDetail(_WebhookScope):
    @extend_schema(responses=WebhookOutput)
    def get(self, request, **kwargs):
        return Response(WebhookOutput(self.hook()).data)

    @extend_schema(request=WebhookPatchInput, responses=WebhookCreatedOutput)
    def patch(self, request, **kwargs):
        """Change it; a new secret (given, or ``rotate_secret``) is in this answer only."""
        hook = self.hook()
        data = WebhookPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        hook, secret = services.webhook_update(
            webhook=hook,
            actor=request.user,
            url=d.get("url"),
            format=d.get("format"),
            events_=d.get("events"),
            secret=d.get("secret"),
            rotate_secret=d.get("rotate_secret", False),
            active=d.get("active"),
        )
        return Response(WebhookCreatedOutput(hook, context={"secret": secret}).data)

    @extend_schema(responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, **kwargs):
        services.webhook_delete(webhook=self.hook(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveries(_WebhookScope, generics.ListAPIView):
    """The delivery log: one row per attempt, newest first."""

    serializer_class = DeliveryOutput
    pagination_class = ByPk

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no webhook
            return DeliveryAttempt.objects.none()
        return selectors.delivery_log(self.hook())


class WebhookTest(_WebhookScope):
    @extend_schema(request=None, responses={202: TestDeliveryOutput})
    def post(self, request, **kwargs):
        """Send a ``webhook.test`` event (queued; its attempts appear in the log)."""
        delivery = services.webhook_send_test(webhook=self.hook(), actor=request.user)
        dispatch.send_delivery(delivery.pk)
        return Response(
            {"event": delivery.event, "delivery": delivery.delivery, "status": delivery.status},
            status=status.HTTP_202_ACCEPTED,
        )
