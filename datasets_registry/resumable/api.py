"""tus 1.0 at ``/api/v1/uploads/``: the protocol's HTTP side, thin over ``services``.

``OPTIONS`` (open to all) tells what the server supports; ``POST`` creates; ``HEAD`` tells the
offset; ``PATCH`` (``application/offset+octet-stream``) appends; ``DELETE`` terminates. ``GET``
is ours: the upload (or your live uploads and your quota) as JSON. Authentication, throttling
and the error body are the API's own; every response carries ``Tus-Resumable`` and none may be
cached.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Invalid

from . import conf, selectors, services, tus
from .errors import UnsupportedMediaType, UnsupportedVersion
from .serializers import UploadListOutput, UploadOutput

OFFSET_STREAM = "application/offset+octet-stream"
METHOD_OVERRIDES = {"PATCH", "DELETE", "HEAD"}
TUS_METHODS = {"POST", "HEAD", "PATCH", "DELETE"}

TUS_RESUMABLE = OpenApiParameter(
    "Tus-Resumable", str, OpenApiParameter.HEADER, required=True, enum=[tus.VERSION]
)
# The headers' syntax, stated in the schema (tus.parse_metadata, tus.parse_checksum).
_B64 = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
# Empty (sent with no pairs) reads as no metadata.
METADATA = rf"^(?:[!-+\--~]+(?: {_B64})?(?:,[!-+\--~]+(?: {_B64})?)*)?$"
CHECKSUM = r"^(sha1 [A-Za-z0-9+/]{27}=|sha256 [A-Za-z0-9+/]{43}=)$"
ERRORS = {
    code: OpenApiResponse(description=text)
    for code, text in {
        400: "A header is missing or malformed (the body names it).",
        401: "Not signed in.",
        404: "No such upload of yours.",
        409: "Upload-Offset is not the server's offset, or the state forbids it.",
        410: "The upload expired, was deleted or was already used.",
        412: "Tus-Resumable is not 1.0.0.",
        413: "Over the size limit (Tus-Max-Size) or your quota.",
        415: "PATCH bodies are application/offset+octet-stream.",
        423: "Another request is writing this upload.",
        460: "The body does not match Upload-Checksum.",
    }.items()
}


class SignedInExceptOptions(BasePermission):
    """Discovery (``OPTIONS``) is open to everyone, like the tus spec expects; the rest needs a
    signed-in user (a token, as for the whole API)."""

    message = gettext_lazy("Authentication credentials were not provided.")

    def has_permission(self, request, view) -> bool:
        return request.method == "OPTIONS" or bool(request.user and request.user.is_authenticated)


class TusView(APIView):
    permission_classes = [SignedInExceptOptions]
    parser_classes: list = []  # the body is read raw, as it streams (never request.data)

    def initialize_request(self, request, *args, **kwargs):
        # tus core: clients that cannot send PATCH or DELETE send POST with this header.
        override = (request.headers.get("X-HTTP-Method-Override") or "").strip().upper()
        if request.method == "POST" and override in METHOD_OVERRIDES:
            request.method = override
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        # Before anything else is processed, as the spec asks: a client speaking another
        # version of the protocol gets 412 and the list of versions we speak.
        if request.method in TUS_METHODS and not hasattr(self, request.method.lower()):
            # A method this resource does not have is a 405, whatever the headers say.
            raise MethodNotAllowed(request.method)
        if request.method in TUS_METHODS:
            version = request.headers.get("Tus-Resumable")
            if version != tus.VERSION:
                raise UnsupportedVersion(
                    _("Send Tus-Resumable: %(version)s (got %(got)s).")
                    % {"version": tus.VERSION, "got": version or _("nothing")},
                    errors={
                        "Tus-Resumable": [
                            _("This server speaks tus %(version)s.") % {"version": tus.VERSION}
                        ]
                    },
                )
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Tus-Resumable"] = tus.VERSION
        response["Cache-Control"] = "no-store"
        if request.method == "OPTIONS" or response.status_code == 412:
            response["Tus-Version"] = tus.VERSION
        return response

    @extend_schema(exclude=True)
    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=204)
        response["Tus-Version"] = tus.VERSION
        response["Tus-Extension"] = ",".join(tus.EXTENSIONS)
        response["Tus-Max-Size"] = str(conf.max_size())
        response["Tus-Checksum-Algorithm"] = ",".join(tus.CHECKSUM_ALGORITHMS)
        return response


def _expires(response, upload) -> None:
    if upload.status == upload.Status.RECEIVING:
        response["Upload-Expires"] = tus.http_date(upload.expires_at)


@extend_schema(tags=["uploads"])
class UploadCollection(TusView):
    """Resumable uploads (tus 1.0): create one, or list yours."""

    @extend_schema(
        summary="Create a resumable upload (tus creation)",
        request=None,
        parameters=[
            TUS_RESUMABLE,
            OpenApiParameter(
                "Upload-Length",
                {"type": "integer", "minimum": 1, "maximum": conf.max_size()},
                OpenApiParameter.HEADER,
                required=True,
                description="The size of the whole file, in bytes.",
            ),
            OpenApiParameter(
                "Upload-Metadata",
                {"type": "string", "maxLength": tus.MAX_METADATA_HEADER, "pattern": METADATA},
                OpenApiParameter.HEADER,
                description="`key base64,key base64`: filename; dataset and version to check "
                "before any byte is sent.",
            ),
        ],
        responses={201: UploadOutput, **{k: ERRORS[k] for k in (400, 401, 409, 412, 413)}},
    )
    def post(self, request):
        length = tus.parse_non_negative(
            "Upload-Length", request.headers.get("Upload-Length"), required=False
        )
        if request.headers.get("Upload-Defer-Length") is not None:
            raise Invalid(
                _("This server needs Upload-Length when an upload is created."),
                errors={"Upload-Defer-Length": [_("Deferred lengths are not supported.")]},
            )
        body_length = tus.parse_non_negative(
            "Content-Length", request.META.get("CONTENT_LENGTH"), required=False
        )
        if body_length:
            raise Invalid(
                _("Create the upload with an empty POST, then send its bytes with PATCH."),
                errors={"Content-Length": [_("creation-with-upload is not supported.")]},
            )
        upload = services.upload_create(
            user=request.user,
            length=length,
            metadata_header=request.headers.get("Upload-Metadata", ""),
        )
        response = Response(
            UploadOutput(upload, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = request.build_absolute_uri(upload.get_absolute_url())
        response["Upload-Offset"] = "0"
        _expires(response, upload)
        return response

    @extend_schema(
        operation_id="uploads_list",
        summary="Your uploads in progress or waiting to be used, and your quota",
        responses={200: UploadListOutput, 401: ERRORS[401]},
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "user": {
                    "username": user.username,
                    "display_name": getattr(user, "display_name", "") or "",
                    "is_staff": bool(user.is_staff),
                },
                "quota": selectors.quota_of(user),
                # At most RESUMABLE_UPLOAD_MAX_ACTIVE of them: one page, in the list shape.
                "next": None,
                "previous": None,
                "results": UploadOutput(
                    selectors.live_uploads_of(user), many=True, context={"request": request}
                ).data,
            }
        )


@extend_schema(tags=["uploads"])
class UploadDetail(TusView):
    """One resumable upload (tus 1.0): its offset, more bytes, or its end."""

    @extend_schema(
        summary="How many bytes the server holds (tus HEAD)",
        parameters=[TUS_RESUMABLE],
        responses={
            200: OpenApiResponse(description="Upload-Offset, Upload-Length."),
            **{k: ERRORS[k] for k in (401, 404, 410, 412)},
        },
    )
    def head(self, request, upload_id):
        upload = selectors.upload_for(user=request.user, upload_id=upload_id)
        response = HttpResponse(status=200)
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        if upload.metadata_header:
            response["Upload-Metadata"] = upload.metadata_header
        _expires(response, upload)
        return response

    @extend_schema(
        summary="Append bytes at the server's offset (tus PATCH)",
        description=f"The body is the bytes themselves, as `{OFFSET_STREAM}`.",
        request={OFFSET_STREAM: OpenApiTypes.BINARY},
        parameters=[
            TUS_RESUMABLE,
            OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "Upload-Checksum",
                {"type": "string", "pattern": CHECKSUM},
                OpenApiParameter.HEADER,
                description="`sha256 <base64 digest>` (or sha1) of this request's body.",
            ),
        ],
        responses={
            204: OpenApiResponse(description="Upload-Offset: the new offset."),
            **{k: ERRORS[k] for k in (400, 401, 404, 409, 410, 412, 413, 415, 423, 460)},
        },
    )
    def patch(self, request, upload_id):
        # An upload that is not yours is a 404 before any header is read.
        current = selectors.upload_for(user=request.user, upload_id=upload_id)
        media_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if media_type != OFFSET_STREAM:
            raise UnsupportedMediaType(
                _("A PATCH body is %(type)s (got %(got)s).")
                % {"type": OFFSET_STREAM, "got": media_type or pgettext("media type", "none")},
                errors={"Content-Type": [_("Use %(type)s.") % {"type": OFFSET_STREAM}]},
            )
        offset = tus.parse_non_negative("Upload-Offset", request.headers.get("Upload-Offset"))
        content_length = tus.parse_non_negative(
            "Content-Length", request.META.get("CONTENT_LENGTH"), required=False
        )
        if content_length is None:
            if request.META.get("wsgi.input_terminated"):
                # A chunked body: its length is unknown until it ends.
                raise Invalid(
                    _("Content-Length is required: send the length of this request's bytes."),
                    errors={"Content-Length": [_("This header is required.")]},
                )
            content_length = 0  # no length and no chunked framing: there is no body
        checksum = tus.parse_checksum(request.headers.get("Upload-Checksum"))
        declared = tus.parse_non_negative(
            "Upload-Length", request.headers.get("Upload-Length"), required=False
        )
        if declared is not None and declared != current.length:
            raise Invalid(
                _("The upload's length is %(length)s; it cannot change.")
                % {"length": f"{current.length:,}"},
                errors={
                    "Upload-Length": [
                        _("The upload's length is %(length)s.") % {"length": current.length}
                    ]
                },
            )
        upload = services.upload_append(
            upload_id=upload_id,
            user=request.user,
            offset=offset,
            stream=request._request,  # Django's request reads its body as a stream
            content_length=content_length,
            checksum=checksum,
        )
        response = HttpResponse(status=204)
        response["Upload-Offset"] = str(upload.offset)
        _expires(response, upload)
        return response

    @extend_schema(
        summary="Delete the upload and its bytes (tus termination)",
        parameters=[TUS_RESUMABLE],
        responses={204: None, **{k: ERRORS[k] for k in (401, 404, 409, 410, 412)}},
    )
    def delete(self, request, upload_id):
        services.upload_terminate(upload_id=upload_id, user=request.user)
        return HttpResponse(status=204)

    @extend_schema(
        summary="The upload as JSON: offset, length, status and, once complete, its sha256",
        responses={200: UploadOutput, **{k: ERRORS[k] for k in (401, 404, 410)}},
    )
    def get(self, request, upload_id):
        upload = selectors.upload_for(user=request.user, upload_id=upload_id)
        return Response(UploadOutput(upload, context={"request": request}).data)
