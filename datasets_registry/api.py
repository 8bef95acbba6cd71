"""REST API of standards and datasets: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from django.http import FileResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotAllowed
from config.parsers import JSONParser

from . import croissant, selectors, services, uploads
from .filters import DatasetFilter
from .models import Dataset, DatasetVersion
from .resumable.services import file_or_upload
from .serializers import (
    CARD_FIELDS,
    DatasetInput,
    DatasetOutput,
    DatasetPatchInput,
    DatasetVersionInput,
    DatasetVersionOutput,
    ErrorOutput,
    StandardDetailOutput,
    StandardOutput,
    StandardVersionOutput,
    dataset_cards,
)

ERRORS = {
    400: OpenApiResponse(
        ErrorOutput, description="Invalid input; `errors` by field or JSON pointer."
    ),
    401: OpenApiResponse(ErrorOutput, description="Not signed in."),
    403: OpenApiResponse(ErrorOutput, description="Not allowed."),
    404: OpenApiResponse(ErrorOutput, description="Not found (or private and not yours)."),
}

# --- standards ---------------------------------------------------------------------------------


@extend_schema(tags=["standards"])
class StandardList(generics.ListAPIView):
    """Metadata standards, each with its adopted version."""

    serializer_class = StandardOutput
    ordering = "slug"

    def get_queryset(self):
        return selectors.standards()


@extend_schema(tags=["standards"], responses={200: StandardDetailOutput, 404: ERRORS[404]})
class StandardDetail(generics.RetrieveAPIView):
    """A standard with all its versions (version, status, sha256)."""

    serializer_class = StandardDetailOutput
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.standards()


@extend_schema(tags=["standards"], responses={200: StandardVersionOutput, 404: ERRORS[404]})
class StandardVersionDetail(generics.RetrieveAPIView):
    """One version: its JSON Schema, caption rule set, changelog, status and content sha256."""

    serializer_class = StandardVersionOutput

    def get_object(self):
        return selectors.standard_version_for(self.kwargs["slug"], self.kwargs["version"])


# --- datasets ----------------------------------------------------------------------------------


@extend_schema(tags=["datasets"])
class DatasetListCreate(generics.ListCreateAPIView):
    """Datasets you may see (private ones only if you own, maintain them or are staff)."""

    serializer_class = DatasetOutput
    ordering = "-pk"
    filterset_class = DatasetFilter
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self):
        return selectors.datasets_for(self.request.user)

    @extend_schema(responses={200: DatasetOutput(many=True), 400: ERRORS[400]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # Plain rows, not model instances: a page is 50 cards of a dozen columns each.
        datasets = self.filter_queryset(self.get_queryset())
        rows = self.paginate_queryset(datasets.values(*CARD_FIELDS))
        maintainers = selectors.maintainer_usernames(row["pk"] for row in rows)
        return self.get_paginated_response(dataset_cards(rows, maintainers, request))

    @extend_schema(
        request=DatasetInput,
        responses={201: DatasetOutput, **ERRORS, 409: OpenApiResponse(ErrorOutput, "Slug taken.")},
    )
    def post(self, request, *args, **kwargs):
        data = DatasetInput(data=request.data)
        data.is_valid(raise_exception=True)
        dataset = services.dataset_register(actor=request.user, **data.validated_data)
        # A new dataset has no maintainers and no versions yet: no need to read it back.
        dataset.version_count = 0
        dataset._prefetched_objects_cache = {"maintainers": dataset.maintainers.none()}
        return Response(
            DatasetOutput(dataset, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["datasets"])
class DatasetDetail(generics.RetrieveAPIView):
    """A dataset; PATCH by its owner, maintainers or staff (metadata is re-validated)."""

    serializer_class = DatasetOutput
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser, FormParser]

    def get_object(self):
        return selectors.dataset_for(self.request.user, self.kwargs["slug"])

    @extend_schema(responses={200: DatasetOutput, 404: ERRORS[404]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DatasetPatchInput, responses={200: DatasetOutput, **ERRORS})
    def patch(self, request, *args, **kwargs):
        dataset = self.get_object()
        data = DatasetPatchInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.dataset_update(dataset=dataset, actor=request.user, **data.validated_data)
        dataset = selectors.dataset_for(request.user, dataset.slug)
        return Response(DatasetOutput(dataset, context={"request": request}).data)


@extend_schema(tags=["datasets"])
class DatasetVersionListCreate(generics.ListAPIView):
    """A dataset's versions, newest first; POST uploads a new one (multipart)."""

    serializer_class = DatasetVersionOutput
    ordering = "-pk"
    parser_classes = [uploads.StreamingMultiPartParser]
    # POSTs stream through uploads.HashingUploadHandler (installed by StreamingUploadMiddleware
    # before anything, the CSRF check of session authentication included, reads the body).
    streams_files = True

    def get_dataset(self) -> Dataset:
        if not hasattr(self, "_dataset"):
            self._dataset = selectors.dataset_lookup(self.request.user, self.kwargs["slug"])
        return self._dataset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return DatasetVersion.objects.none()
        dataset = self.get_dataset()
        # The related manager hands each version this dataset instance: no join, no extra query.
        return dataset.versions.select_related("created_by")

    @extend_schema(
        request={"multipart/form-data": DatasetVersionInput},
        responses={
            201: DatasetVersionOutput,
            **ERRORS,
            409: OpenApiResponse(ErrorOutput, description="The version label exists."),
            413: OpenApiResponse(ErrorOutput, description="Over DATASET_UPLOAD_MAX_BYTES."),
        },
    )
    def post(self, request, *args, **kwargs):
        dataset = self.get_dataset()
        # Refuse before reading the body: outsiders and oversized uploads never reach the disk.
        if not dataset.can_maintain(request.user):
            raise NotAllowed(_("Only the dataset's owner, its maintainers and staff may upload."))
        uploads.receive(request)
        data = DatasetVersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        with file_or_upload(
            user=request.user,
            file=fields.get("file"),
            upload_id=fields.get("upload_id"),
            used_for=f"dataset {dataset.slug} version {fields['version']}",
        ) as upload:
            version = services.dataset_version_create(
                dataset=dataset,
                actor=request.user,
                upload=upload,
                version=fields["version"],
                format=fields.get("format") or None,
                compression=fields.get("compression") or None,
                sha256=fields.get("sha256") or None,
                caption_column=fields.get("caption_column") or None,
                image_column=fields.get("image_column") or None,
                license_column=fields.get("license_column") or None,
                notes=fields.get("notes") or "",
            )
        return Response(
            DatasetVersionOutput(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["datasets"], responses={200: DatasetVersionOutput, 404: ERRORS[404]})
class DatasetVersionDetail(generics.RetrieveAPIView):
    """One immutable version: file size, sha256, format, row count, column mapping."""

    serializer_class = DatasetVersionOutput

    def get_object(self):
        return selectors.version_for(self.request.user, self.kwargs["slug"], self.kwargs["version"])


@extend_schema(
    tags=["datasets"],
    responses={
        (200, "application/ld+json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="Croissant 1.1 JSON-LD with RAI fields."
        ),
        404: ERRORS[404],
    },
)
class DatasetVersionCroissant(APIView):
    """The version as Croissant 1.1 JSON-LD: FileObject with sha256, caption RecordSet, RAI."""

    def get(self, request, slug: str, version: str):
        obj = selectors.version_for(request.user, slug, version)
        doc = croissant.build(obj, base_url=request.build_absolute_uri("/"))
        response = Response(doc, content_type="application/ld+json")
        response["Content-Disposition"] = (
            f'inline; filename="{obj.dataset.slug}-{obj.version}.croissant.json"'
        )
        return response


@extend_schema(
    tags=["datasets"],
    responses={
        **{
            (200, media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The caption file as uploaded."
            )
            for media_type in DatasetVersion.MEDIA_TYPES
        },
        302: OpenApiResponse(description="Object storage: Location is a signed, expiring URL."),
        404: ERRORS[404],
    },
)
class DatasetVersionDownload(APIView):
    """The version's file, for those who may see the dataset."""

    def get(self, request, slug: str, version: str):
        return file_response(selectors.version_for(request.user, slug, version))


def file_response(version):
    """Stream the stored file through the app (local storage) or redirect to a signed URL (S3).

    Never a public /media/ address: whoever downloads has passed the visibility check.
    The choice is made by what the storage can do, asked of the storage itself: the file field's
    storage is Django's lazy ``default_storage``, whose ``_wrapped`` is an unset placeholder
    until first use, so a class test on ``_wrapped`` failed on each worker's first download.
    """
    return stored_file_response(
        version.file,
        filename=version.filename,
        content_type=version.media_type,
        sha256=version.sha256,
        public=version.dataset.is_public,
    )


def stored_file_response(
    field_file, *, filename: str, content_type: str | None, sha256: str, public: bool
):
    """A stored file for someone who may read it: streamed from local storage, else a redirect
    to a signed URL. Used by dataset versions and model files alike."""
    storage = field_file.storage
    if not storage_has_local_files(storage):
        return HttpResponseRedirect(storage.url(field_file.name))
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-SHA256"] = sha256
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def storage_has_local_files(storage) -> bool:
    """True when ``storage`` keeps files on this machine (it answers ``path()``).

    Calling a method makes a lazy storage set itself up, so this holds on a fresh process too.
    Remote storages (S3) raise ``NotImplementedError`` and are served by a signed URL instead.
    """
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True
