"""REST API of models and their versions: thin views over selectors and services."""

from __future__ import annotations

import contextlib
import mimetypes

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Invalid, NotAllowed
from config.parsers import JSONParser
from datasets_registry import uploads
from datasets_registry.api import ERRORS, stored_file_response
from datasets_registry.resumable.services import upload_claim
from datasets_registry.serializers import ErrorOutput

from . import card, selectors, services
from .serializers import ModelInput, ModelOutput, ModelPatchInput, ModelVersionOutput

VERSION_FORM = inline_serializer(
    "ModelVersionInput",
    {
        "version": serializers.CharField(
            help_text=gettext_lazy("Semantic version, e.g. 0.1.0-alpha.1.")
        ),
        "card": serializers.CharField(
            help_text=gettext_lazy("The model card, a JSON object (string).")
        ),
        "card_body": serializers.CharField(required=False, help_text=gettext_lazy("Markdown.")),
        "training_data": serializers.CharField(
            # Translators: the braces name JSON keys; keep them as they are.
            help_text=gettext_lazy('JSON list of {"dataset", "version", "sha256"}.')
        ),
        "base_model": serializers.CharField(
            required=False, help_text=gettext_lazy('"slug@version".')
        ),
        "external": serializers.CharField(
            required=False,
            # Translators: the braces name JSON keys; keep them as they are.
            help_text=gettext_lazy('JSON list of {"path", "role", "size", "sha256", "url"}.'),
        ),
        "file:<role>:<path>": serializers.FileField(
            required=False,
            help_text=gettext_lazy(
                "Any number of files, streamed and hashed; role is weights, config, "
                "finetune_script, docs or other."
            ),
        ),
        "upload:<role>:<path>": serializers.CharField(
            required=False,
            help_text=gettext_lazy("The upload_id of a completed resumable upload, per file."),
        ),
        "header:<path>": serializers.FileField(
            required=False,
            help_text=gettext_lazy("The safetensors header of a declared (external) file."),
        ),
    },
)


class ModelListQuery(serializers.Serializer):
    """The list's filters; an unknown status or checks value is a 400 naming the parameter."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    group = serializers.CharField(required=False, allow_blank=True, max_length=100)
    status = serializers.ChoiceField(
        choices=list(selectors.STATUSES), required=False, allow_blank=True
    )
    checks = serializers.ChoiceField(choices=["passed", "failed"], required=False, allow_blank=True)


@extend_schema(tags=["models"])
class ModelListCreate(generics.ListCreateAPIView):
    """Models you may see (private ones only if you own or maintain them, or are staff)."""

    serializer_class = ModelOutput
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self):
        query = ModelListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return selectors.models_for(
            self.request.user,
            q=params.get("q", ""),
            group=params.get("group", ""),
            status=params.get("status", ""),
            checks=params.get("checks", ""),
        ).order_by("-created_at", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("group", str),
            OpenApiParameter("status", str, enum=list(selectors.STATUSES)),
            OpenApiParameter("checks", str, enum=["passed", "failed"]),
        ],
        responses={200: ModelOutput(many=True), 400: ERRORS[400]},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ModelInput,
        responses={201: ModelOutput, **ERRORS, 409: OpenApiResponse(ErrorOutput, "Slug taken.")},
    )
    def post(self, request, *args, **kwargs):
        data = ModelInput(data=request.data)
        data.is_valid(raise_exception=True)
        model = services.model_create(actor=request.user, **data.validated_data)
        model = selectors.model_for(request.user, model.slug)
        return Response(
            ModelOutput(model, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["models"])
class ModelDetail(generics.RetrieveAPIView):
    """A model; PATCH by its owner, maintainers or staff."""

    serializer_class = ModelOutput
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser, FormParser]

    def get_object(self):
        return selectors.model_for(self.request.user, self.kwargs["slug"])

    @extend_schema(responses={200: ModelOutput, 404: ERRORS[404]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ModelPatchInput, responses={200: ModelOutput, **ERRORS})
    def patch(self, request, *args, **kwargs):
        model = self.get_object()
        data = ModelPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.model_update(model=model, actor=request.user, **data.validated_data)
        model = selectors.model_for(request.user, model.slug)
        return Response(ModelOutput(model, context={"request": request}).data)


def incoming_files(data, files) -> tuple[list[services.IncomingFile], dict, dict]:
    """Split the multipart parts: ``file:<role>:<path>`` uploads, ``upload:<role>:<path>``
    upload ids, ``header:<path>`` headers of declared files."""
    incoming, upload_ids, headers = [], {}, {}
    errors: dict[str, list[str]] = {}
    for key in files:
        kind, _sep, rest = key.partition(":")
        if kind == "file":
            role, _sep, path = rest.partition(":")
            incoming.append(services.IncomingFile(path=path, role=role, upload=files[key]))
        elif kind == "header":
            headers[rest] = files[key]
        elif key != "file":
            errors[key] = [_("Unknown part: send file:<role>:<path> or header:<path>.")]
    for key in data:
        if key.startswith("upload:"):
            role, _sep, path = key[len("upload:") :].partition(":")
            upload_ids[(role, path)] = data[key]
    if errors:
        raise Invalid(services._first(errors), errors=errors)
    return incoming, upload_ids, headers


@extend_schema(tags=["models"])
class ModelVersionListCreate(generics.ListAPIView):
    """A model's versions, newest first; POST registers a new one (multipart, streamed)."""

    serializer_class = ModelVersionOutput
    parser_classes = [uploads.StreamingMultiPartParser]
    streams_files = True
    streams_files_limit = "MODEL_UPLOAD_MAX_BYTES"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            from .models import ModelVersion

            return ModelVersion.objects.none()
        model = selectors.model_for(self.request.user, self.kwargs["slug"])
        return selectors.version_queryset().filter(model=model).order_by("-created_at", "-pk")

    @extend_schema(
        request={"multipart/form-data": VERSION_FORM},
        responses={
            201: ModelVersionOutput,
            **ERRORS,
            409: OpenApiResponse(ErrorOutput, description="The version label exists."),
            413: OpenApiResponse(ErrorOutput, description="Over MODEL_UPLOAD_MAX_BYTES."),
        },
    )
    def post(self, request, *args, **kwargs):
        model = selectors.model_for(request.user, kwargs["slug"])
        if not model.can_maintain(request.user):
            raise NotAllowed(
                _("Only the model's owner, its maintainers and staff may register versions.")
            )
        uploads.receive(request)
        data = request.data
        incoming, upload_ids, headers = incoming_files(data, request.FILES)
        with contextlib.ExitStack() as stack:
            for (role, path), upload_id in upload_ids.items():
                completed = stack.enter_context(
                    upload_claim(
                        upload_id=upload_id,
                        user=request.user,
                        used_for=f"model {model.slug} version {data.get('version', '')} {path}",
                    )
                )
                as_file = completed.as_uploaded_file()
                stack.callback(as_file.close)
                incoming.append(services.IncomingFile(path=path, role=role, upload=as_file))
            declared_errors: dict = {}
            external = services.parse_external(data.get("external"), declared_errors)
            if declared_errors:
                raise Invalid(services._first(declared_errors), errors=declared_errors)
            for f in external:
                f.header = headers.pop(f.path, None)
            if headers:
                raise Invalid(
                    _("A header part names no declared file."),
                    errors={
                        f"header:{p}": [_("No external entry has this path.")] for p in headers
                    },
                )
            version = services.version_register(
                model=model,
                actor=request.user,
                version=data.get("version", ""),
                card=data.get("card"),
                card_body=data.get("card_body", ""),
                training_data=data.get("training_data"),
                base_model=data.get("base_model", ""),
                files=incoming,
                external=external,
            )
        version = selectors.version_for(request.user, model.slug, version.version)
        return Response(
            ModelVersionOutput(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["models"], responses={200: ModelVersionOutput, 404: ERRORS[404]})
class ModelVersionDetail(generics.RetrieveAPIView):
    """One immutable version: manifest, checks, tensors, lineage, card, gate, release."""

    serializer_class = ModelVersionOutput

    def get_object(self):
        return selectors.version_for(self.request.user, self.kwargs["slug"], self.kwargs["version"])


@extend_schema(
    tags=["models"],
    responses={
        (200, "text/markdown"): OpenApiResponse(
            OpenApiTypes.STR, description="HF-compatible README.md with YAML front matter."
        ),
        404: ERRORS[404],
    },
)
class ModelVersionCard(APIView):
    """The card as a Hugging Face README.md."""

    def get(self, request, slug: str, version: str):
        obj = selectors.version_for(request.user, slug, version)
        response = HttpResponse(card.render(obj), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="README.md"'
        return response


@extend_schema(
    tags=["models"],
    responses={
        # Any file a release carries (weights, configs, scripts, docs): its type by its name.
        (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY),
        302: OpenApiResponse(description="A declared file: its external URL."),
        404: ERRORS[404],
    },
)
class ModelVersionFile(APIView):
    """One file of the manifest: the stored bytes, or a redirect to a declared file's URL."""

    def get(self, request, slug: str, version: str, path: str):
        obj = selectors.version_for(request.user, slug, version)
        row = next((f for f in obj.files.all() if f.path == path), None)
        if row is None:
            raise Http404("No such file in this version.")
        if not row.verified:
            return HttpResponseRedirect(row.url)
        return stored_file_response(
            row.file,
            filename=path.rsplit("/", 1)[-1],
            content_type=mimetypes.guess_type(path)[0],
            sha256=row.sha256,
            public=obj.model.is_public,
        )
