"""Version pages: streaming upload form, version page, download, Croissant, corpus proposal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from config.errors import DomainError

from .. import croissant, selectors, services, uploads
from ..api import file_response
from ..forms import (
    ProposeForm,
    VersionUploadForm,
)
from ..models import Dataset
from ..resumable.services import file_or_upload
from .common import _apply_errors, _raise_for_page

# --- versions ----------------------------------------------------------------------------------


@csrf_exempt
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload form. The CSRF check reads the body, so our streaming handler is installed first and
    the check runs right after (``csrf_protect`` on the inner view): the same protection, but
    files are hashed while they stream and refused past the size limit."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    dataset = selectors.dataset_for(request.user, slug)
    if not dataset.can_maintain(request.user):
        raise PermissionDenied("Only the owner, maintainers and staff may upload versions.")
    if request.method == "POST":
        try:
            uploads.precheck_length(request)
        except DomainError as exc:
            return _upload_page(request, dataset, VersionUploadForm(), exc, status=413)
        uploads.install(request)
    return _version_create(request, dataset)


@csrf_protect
def _version_create(request: HttpRequest, dataset: Dataset) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, dataset, VersionUploadForm())
    # Parse the body now (the CSRF check may not have), then ask the handler what it saw.
    post, files = request.POST, request.FILES
    try:
        uploads.raise_for_handler(uploads.handler_of(request))
    except DomainError as exc:
        return _upload_page(
            request, dataset, VersionUploadForm(request.POST), exc, status=exc.status_code
        )
    form = VersionUploadForm(post, files)
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
        _raise_for_page(exc)
        return _upload_page(request, dataset, form, exc, status=exc.status_code)
    messages.success(
        request, f"Version {version.version} is stored (sha256 {version.sha256[:12]}…)."
    )
    return redirect(version.get_absolute_url())


def _upload_page(request, dataset, form, exc: DomainError | None = None, status: int = 200):
    if exc is not None:
        _apply_errors(form, exc)
    return render(
        request,
        "datasets_registry/version_form.html",
        {"dataset": dataset, "form": form, "max_bytes": uploads.settings.DATASET_UPLOAD_MAX_BYTES},
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
            "validation_run": selectors.latest_validation_run(obj),
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


@login_required
@require_POST
def version_propose(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.version_for(request.user, slug, version)
    form = ProposeForm(request.POST)
    form.is_valid()
    try:
        proposal = services.dataset_version_propose_acceptance(
            version=obj,
            actor=request.user,
            title=form.cleaned_data.get("title", ""),
            summary=form.cleaned_data.get("summary", ""),
        )
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())
    messages.success(request, "The proposal to accept this version into the corpus is open.")
    return redirect(proposal.get_absolute_url())
