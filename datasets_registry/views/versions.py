"""Version pages: streaming upload form, version page, download, Croissant, corpus proposal."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.errors import DomainError
from config.pages import apply_errors, write_view

from .. import croissant, selectors, services, uploads
from ..api import file_response
from ..forms import (
    ProposeForm,
    VersionUploadForm,
)
from ..resumable.services import file_or_upload

# --- versions ----------------------------------------------------------------------------------


def _may_upload(request: HttpRequest, slug: str) -> bool:
    """Before the body is read: is this someone who may upload here? (The view says why not.)"""
    return selectors.may_upload(request.user, slug)


@uploads.streams_files(guard=_may_upload)
@login_required
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload form. Its POST streams through ``uploads`` (hashed while it arrives, refused past
    the size limit) and is CSRF-checked like any other form."""
    dataset = selectors.dataset_for(request.user, slug)
    if not dataset.can_maintain(request.user):
        raise PermissionDenied(_("Only the owner, maintainers and staff may upload versions."))
    if request.method != "POST":
        return _upload_page(request, dataset, VersionUploadForm())
    try:
        uploads.receive(request)
    except DomainError as exc:
        form = VersionUploadForm(request.POST)
        form.errors.pop("file", None)  # the file was refused, not forgotten: say why instead
        return _upload_page(request, dataset, form, exc, status=exc.status_code)
    form = VersionUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, dataset, form, status=400)
    data = form.cleaned_data
    try:
        with file_or_upload(
            user=request.user,
            file=data["file"],
            upload_id=data["upload_id"],
            used_for=f"dataset {dataset.slug} version {data['version']}",
        ) as upload:
            version = services.dataset_version_create(
                dataset=dataset,
                actor=request.user,
                upload=upload,
                version=data["version"],
                format=data["format"] or None,
                sha256=data["sha256"] or None,
                caption_column=data["caption_column"] or None,
                image_column=data["image_column"] or None,
                license_column=data["license_column"] or None,
                notes=data["notes"],
            )
    except DomainError as exc:
        return _upload_page(request, dataset, form, exc, status=exc.status_code)
    messages.success(
        request,
        _("Version %(version)s is stored (sha256 %(sha256)s…).")
        % {"version": version.version, "sha256": version.sha256[:12]},
    )
    return redirect(version.get_absolute_url())


def _upload_page(request, dataset, form, exc: DomainError | None = None, status: int = 200):
    if exc is not None:
        apply_errors(form, exc)
    return render(
        request,
        "datasets_registry/version_form.html",
        {"dataset": dataset, "form": form, "max_bytes": settings.DATASET_UPLOAD_MAX_BYTES},
        status=status,
    )


def version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.version_for(request.user, slug, version)
    dataset = obj.dataset
    return render(
        request,
        "datasets_registry/version_detail.html",
        {
            "dataset": dataset,
            "version": obj,
            "panels": selectors.version_panels(obj, request.user),
            "can_maintain": dataset.can_maintain(request.user),
            "citation": croissant.citation_text(dataset, obj, request.build_absolute_uri("/")),
            "propose_form": ProposeForm(),
        },
    )


def version_download(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    return file_response(selectors.version_for(request.user, slug, version))


def version_croissant(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.version_for(request.user, slug, version)
    doc = croissant.build(obj, base_url=request.build_absolute_uri("/"))
    response = JsonResponse(
        doc, content_type="application/ld+json", json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{obj.dataset.slug}-{obj.version}.croissant.json"'
    )
    return response


def _version_page(slug: str, version: str) -> str:
    return reverse("datasets_registry:version_detail", kwargs={"slug": slug, "version": version})


@write_view(back=_version_page)
def version_propose(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.version_for(request.user, slug, version)
    form = ProposeForm(request.POST)
    form.is_valid()
    proposal = services.dataset_version_propose_acceptance(
        version=obj,
        actor=request.user,
        title=form.cleaned_data.get("title", ""),
        summary=form.cleaned_data.get("summary", ""),
        base_url=request.build_absolute_uri("/"),
    )
    messages.success(request, _("The proposal to accept this version into the corpus is open."))
    return redirect(proposal.get_absolute_url())
