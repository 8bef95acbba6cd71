"""The transparency log's API (docs/log.md): checkpoint, key, entries, proofs, checkpoints by
size, and witnesses' cosignatures. Everything is public and read-only but the cosignature POST,
which is authenticated by the cosignature itself (a registered witness key)."""

from __future__ import annotations

import base64

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.models import LedgerEntry

from . import checkpoints, tree
from .models import Checkpoint
from .serializers import (
    ConsistencyProofOutput,
    CosignatureInput,
    CosignatureOutput,
    InclusionProofOutput,
    LogEntryOutput,
    LogKeyOutput,
)

MAX_ENTRIES = 1000


class PlainTextRenderer(BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode("utf-8")
        # An error body (a dict): its message as text.
        if isinstance(data, dict) and "detail" in data:
            return str(data["detail"]).encode("utf-8") + b"\n"
        return str(data).encode("utf-8")


# Every index and size of the log is a whole number from 0: the schema says so, as _int does.
WHOLE_NUMBER = {"type": "integer", "minimum": 0}


def _int(request, name: str, *, required: bool = True, default: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if required:
            raise ValidationError({name: [_("This parameter is required.")]})
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("A whole number is required.")]}) from None
    if value < 0:
        raise ValidationError({name: [_("Must be 0 or more.")]})
    return value


def _b64(hashes) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


class Public(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []


TEXT = OpenApiResponse(OpenApiTypes.STR, description="A C2SP signed note (text/plain).")


class SignedNoteView(Public):
    """A signed note as text/plain; its errors in the API's one error shape (JSON), as everywhere."""

    renderer_classes = [PlainTextRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(response, Response):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class CheckpointLatest(SignedNoteView):
    @extend_schema(
        summary="The latest signed checkpoint",
        description="A C2SP tlog-checkpoint in a signed note, with the cosignatures of the "
        "registered witnesses appended.",
        responses={200: TEXT},
    )
    def get(self, request):
        checkpoint = checkpoints.maybe_sign()
        return Response(checkpoints.with_cosignatures(checkpoint))


class CheckpointBySize(SignedNoteView):
    api_errors = {404: "No checkpoint of this tree size was signed."}

    @extend_schema(
        summary="The signed checkpoint of a tree size",
        parameters=[OpenApiParameter("tree_size", WHOLE_NUMBER, required=True)],
        responses={200: TEXT},
    )
    def get(self, request):
        size = _int(request, "tree_size")
        checkpoint = Checkpoint.objects.filter(tree_size=size).first()
        if checkpoint is None:
            raise NotFound(_("No checkpoint of this tree size was signed."))
        return Response(checkpoints.with_cosignatures(checkpoint))


class LogKey(Public):
    renderer_classes = [JSONRenderer]

    @extend_schema(summary="The log's public key", responses={200: LogKeyOutput})
    def get(self, request):
        key = checkpoints.log_key()
        return Response(
            {
                "origin": key.origin,
                "verifier_key": key.verifier_key,
                "public_key": base64.b64encode(key.public_key).decode(),
            }
        )


class Entries(Public):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Log entries by index",
        description=f"Entries ``start`` to ``end`` inclusive (0-based leaf indices; at most "
        f"{MAX_ENTRIES} per call; fewer when the log is shorter), oldest first.",
        parameters=[
            OpenApiParameter("start", WHOLE_NUMBER, required=True),
            OpenApiParameter(
                "end", WHOLE_NUMBER, required=False, description="Default: start + 999."
            ),
        ],
        responses={200: LogEntryOutput(many=True)},
    )
    def get(self, request):
        start = _int(request, "start")
        end = _int(request, "end", required=False, default=start + MAX_ENTRIES - 1)
        if end < start:
            raise ValidationError({"end": [_("Must be at least start.")]})
        end = min(end, start + MAX_ENTRIES - 1)
        rows = LedgerEntry.objects.filter(seq__gte=start + 1, seq__lte=end + 1).order_by("seq")
        return Response(LogEntryOutput(rows, many=True).data)


def _proof(compute):
    try:
        return compute()
    except ValueError as exc:
        raise ValidationError({"detail": [str(exc)]}) from None


class InclusionProof(Public):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Inclusion proof of an entry",
        parameters=[
            OpenApiParameter("index", WHOLE_NUMBER, required=True),
            OpenApiParameter("tree_size", WHOLE_NUMBER, required=True),
        ],
        responses={200: InclusionProofOutput},
    )
    def get(self, request):
        index, size = _int(request, "index"), _int(request, "tree_size")
        hashes = _proof(lambda: tree.inclusion_proof(index, size))
        return Response({"index": index, "tree_size": size, "hashes": _b64(hashes)})


class ConsistencyProof(Public):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Consistency proof between two tree sizes",
        parameters=[
            OpenApiParameter("first", WHOLE_NUMBER, required=True),
            OpenApiParameter("second", WHOLE_NUMBER, required=True),
        ],
        responses={200: ConsistencyProofOutput},
    )
    def get(self, request):
        first, second = _int(request, "first"), _int(request, "second")
        hashes = _proof(lambda: tree.consistency_proof(first, second))
        return Response({"first": first, "second": second, "hashes": _b64(hashes)})


class Cosignatures(Public):
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Submit a witness's cosignature",
        description="A C2SP tlog-cosignature/v1 line of a signed checkpoint, by a witness whose "
        "key staff registered. The cosignature is its own authentication.",
        request=CosignatureInput,
        responses={201: CosignatureOutput},
    )
    def post(self, request):
        data = CosignatureInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cosig = checkpoints.add_cosignature(
                tree_size=data.validated_data["tree_size"], line=data.validated_data["cosignature"]
            )
        except checkpoints.CosignatureRefused as exc:
            raise ValidationError({"cosignature": [str(exc)]}) from None
        return Response(
            {
                "tree_size": cosig.checkpoint.tree_size,
                "witness": cosig.witness.name,
                "timestamp": cosig.timestamp,
            },
            status=status.HTTP_201_CREATED,
        )
