"""Dataset pages: list and filters, register, card, edit, maintainers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import DomainError
from config.pages import apply_errors

from .. import annotations, card_words, croissant, selectors, services
from ..filters import DatasetFilter
from ..forms import (
    DatasetEditForm,
    DatasetForm,
    MaintainerForm,
)
from ..models import Dataset, StandardVersion
from .card_form import card_context, posted_card

PAGE_SIZE = 25

# --- datasets ----------------------------------------------------------------------------------


def dataset_list(request: HttpRequest) -> HttpResponse:
    """The datasets ``request.user`` may see, filtered; a filter value that is not a choice is a
    400 with the reason beside its field (the same filters and messages as the API)."""
    filters = DatasetFilter(request.GET, queryset=selectors.datasets_for(request.user))
    valid = filters.is_valid()
    qs = filters.qs if valid else Dataset.objects.none()
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "datasets": page.object_list,
        "badges": selectors.dataset_badges(page.object_list),
        "annotators": annotations.annotators(),
        "filters": {name: request.GET.get(name, "") for name in DatasetFilter.base_filters},
        "filter_errors": filters.errors,
        "filtered": any(request.GET.get(name) for name in DatasetFilter.base_filters),
        "licenses": selectors.license_choices(request.user),
        "standards": selectors.adopted_versions(),
        "statuses": Dataset.Status.choices,
        "corpus_statuses": Dataset.CorpusStatus.choices,
    }
    template = "datasets_registry/dataset_list.html"
    if request.htmx:
        template = "datasets_registry/_dataset_results.html"
    return render(request, template, context, status=200 if valid else 400)


def _metadata_skeleton(version: StandardVersion | None) -> dict:
    """Required fields of the standard's schema, empty: a starting point for the card."""
    if version is None:
        return {}
    schema = version.schema or {}
    out: dict = {}
    for name in schema.get("required", []):
        prop = (schema.get("properties") or {}).get(name, {})
        kind = prop.get("type")
        out[name] = [] if kind == "array" else {} if kind == "object" else ""
    return out


@login_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    mode, card_errors = "form", None
    if request.method == "POST":
        data, mode = posted_card(request)
        form = DatasetForm(data)
        if form.is_valid():
            data = form.cleaned_data
            try:
                dataset = services.dataset_register(
                    actor=request.user,
                    name=data["name"],
                    slug=data["slug"] or None,
                    summary=data["summary"],
                    description=data["description"],
                    license=data["license"],
                    standard=data["standard"],
                    metadata=data["metadata"],
                    visibility=data["visibility"],
                    homepage=data["homepage"],
                )
            except DomainError as exc:
                card_errors = exc.errors
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered. Upload its first version.") % {"name": dataset.name},
                )
                return redirect("datasets_registry:version_create", slug=dataset.slug)
    else:
        adopted = selectors.adopted_versions().first()
        form = DatasetForm(
            initial={
                "standard": adopted.ref if adopted else "",
                "metadata": _metadata_skeleton(adopted),
            }
        )
    ref = form["standard"].value() or ""
    return render(
        request,
        "datasets_registry/dataset_form.html",
        {
            "form": form,
            "standards": selectors.adopted_versions(),
            "creating": True,
            **card_context(form, ref=ref, mode=mode, errors=card_errors),
        },
    )


def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_for(request.user, slug)
    versions = list(dataset.versions.all())
    latest = versions[0] if versions else None
    return render(
        request,
        "datasets_registry/dataset_detail.html",
        {
            "dataset": dataset,
            "versions": versions,
            "latest": latest,
            "badges": selectors.version_badges(versions),
            "annotators": annotations.annotators(),
            "card": card_sections(dataset),
            "can_maintain": dataset.can_maintain(request.user),
            "citation": croissant.citation_text(dataset, latest, request.build_absolute_uri("/")),
        },
    )


def card_sections(dataset: Dataset) -> list[dict]:
    """The metadata as labelled, readable sections (in the standard's property order)."""
    metadata = dataset.metadata if isinstance(dataset.metadata, dict) else {}
    order = list((dataset.standard_version.schema or {}).get("properties", {}))
    keys = [k for k in order if k in metadata] + [k for k in metadata if k not in order]
    return [
        {
            "key": key,
            "label": _label(key),
            "value": _readable(metadata[key]),
        }
        for key in keys
    ]


def _readable(value):
    """Nested JSON → (label, value) pairs and lists the template renders without JSON syntax."""
    if isinstance(value, dict):
        return {
            "kind": "dict",
            "items": [(_label(k), _readable(v)) for k, v in value.items()],
        }
    if isinstance(value, list):
        return {"kind": "list", "items": [_readable(v) for v in value]}
    if isinstance(value, bool):
        return {"kind": "text", "text": _("yes") if value else _("no")}
    if isinstance(value, str) and value in card_words.VALUES:  # a coded value ("web_scraping")
        return {"kind": "text", "text": str(card_words.VALUES[value])}
    return {"kind": "text", "text": "" if value is None else str(value)}


def _label(key: str) -> str:
    """A card key as the reader's words (``card_words``), else made from the key."""
    return str(card_words.LABELS.get(key) or key.replace("_", " ").capitalize())


@login_required
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_for(request.user, slug)
    if not dataset.can_maintain(request.user):
        raise PermissionDenied(_("Only the owner, maintainers and staff may edit this dataset."))
    mode, card_errors = "form", None
    if request.method == "POST":
        data, mode = posted_card(request)
        form = DatasetEditForm(data)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.dataset_update(
                    dataset=dataset,
                    actor=request.user,
                    name=data["name"],
                    summary=data["summary"],
                    description=data["description"],
                    license=data["license"],
                    standard=data["standard"],
                    metadata=data["metadata"],
                    visibility=data["visibility"],
                    homepage=data["homepage"],
                    status=data["status"],
                )
            except DomainError as exc:
                card_errors = exc.errors
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(dataset.get_absolute_url())
    else:
        form = DatasetEditForm(
            initial={
                "name": dataset.name,
                "summary": dataset.summary,
                "description": dataset.description,
                "license": dataset.license,
                "standard": dataset.standard_version.ref,
                "visibility": dataset.visibility,
                "homepage": dataset.homepage,
                "metadata": dataset.metadata,
                "status": dataset.status,
            }
        )
        if dataset.standard_version.status != StandardVersion.Status.ADOPTED:
            form.fields["standard"].choices = [
                (
                    dataset.standard_version.ref,
                    _("%(version)s (current, %(status)s)")
                    % {
                        "version": dataset.standard_version,
                        "status": dataset.standard_version.status,
                    },
                ),
                *form.fields["standard"].choices,
            ]
    return render(
        request,
        "datasets_registry/dataset_form.html",
        {
            "form": form,
            "dataset": dataset,
            "standards": selectors.adopted_versions(),
            **card_context(form, ref=form["standard"].value() or "", mode=mode, errors=card_errors),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_maintainers(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_for(request.user, slug)
    if not dataset.can_maintain(request.user):
        raise PermissionDenied(_("Only the owner, maintainers and staff see this page."))
    form = MaintainerForm()
    if request.method == "POST":
        if not dataset.can_manage_maintainers(request.user):
            raise PermissionDenied(_("Only the owner and staff choose maintainers."))
        User = get_user_model()
        if "remove" in request.POST:
            person = User.objects.filter(username=request.POST["remove"]).first()
            if person is not None:
                services.dataset_maintainer_remove(dataset=dataset, actor=request.user, user=person)
                messages.success(
                    request,
                    _("%(person)s no longer maintains it.") % {"person": person.public_name},
                )
            return redirect("datasets_registry:dataset_maintainers", slug=slug)
        form = MaintainerForm(request.POST)
        if form.is_valid():
            person = User.objects.filter(username=form.cleaned_data["username"]).first()
            try:
                services.dataset_maintainer_add(dataset=dataset, actor=request.user, user=person)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(person)s now maintains %(dataset)s.")
                    % {"person": person.public_name, "dataset": dataset.name},
                )
                return redirect("datasets_registry:dataset_maintainers", slug=slug)
    return render(
        request,
        "datasets_registry/maintainers.html",
        {
            "dataset": dataset,
            "form": form,
            "can_manage": dataset.can_manage_maintainers(request.user),
        },
    )
