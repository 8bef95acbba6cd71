from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from . import services
from .models import ApiToken
from .serializers import ApiTokenCreatedOutput, ApiTokenInput, ApiTokenOutput


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """My API tokens: list, create (the secret is returned once) and revoke. Creation is limited
    by the service (``API_THROTTLE_TOKENS``), one counter shared with the account page."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApiTokenOutput
    filterset_fields = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=ApiTokenInput, responses={201: ApiTokenCreatedOutput})
    def create(self, request):
        data = ApiTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, name=data.validated_data["name"])
        token.key = key
        return Response(ApiTokenCreatedOutput(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={204: None}, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]
    )
    def destroy(self, request, pk=None):
        try:
            token_id = int(pk)
        except (TypeError, ValueError):
            token_id = 0
        services.api_token_revoke(token_id=token_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
