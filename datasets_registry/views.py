"""Website pages of the registry: datasets, versions, standards. Writes go through services."""

from __future__ import annotations

import difflib
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import DomainError, NotAllowed, NotFound

from . import croissant, selectors, services, uploads
from .api import file_response
from .forms import (
    DatasetEditForm,
    DatasetForm,
    MaintainerForm,
    ProposeForm,
    StandardForm,
    StandardVersionForm,
    VersionUploadForm,
)
from .models import Dataset, StandardVersion

PAGE_SIZE = 25


def _apply_errors(form, exc: DomainError) -> None:
    """Show a service's errors on the form: by field, JSON pointers under their field."""
    placed = False
    for key, messages_ in (exc.errors or {}).items():
        name = key.lstrip("/").split("/", 1)[0].split(".", 1)[0]
        target = name if name in form.fields else None
        for message in messages_:
            text = message
            if key.startswith("/") or (target and key != target):
                text = f"{key}: {message}"
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _raise_for_page(exc: DomainError):
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message)


# --- datasets ----------------------------------------------------------------------------------


def dataset_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.filter_datasets(selectors.datasets_for(request.user), request.GET).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "datasets": page.object_list,
        "filters": {
            key: request.GET.get(key, "")
            for key in ("search", "license", "standard", "status", "corpus_status")
        },
        "licenses": selectors.license_choices(request.user),
        "standards": selectors.adopted_versions(),
        "statuses": Dataset.Status.choices,
        "corpus_statuses": Dataset.CorpusStatus.choices,
        "querystring": query.urlencode(),
    }
    template = "datasets_registry/dataset_list.html"
    if request.htmx:
        template = "datasets_registry/_dataset_results.html"
    return render(request, template, context)


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
    if request.method == "POST":
        form = DatasetForm(request.POST)
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
                _raise_for_page(exc)
                _apply_errors(form, exc)
            else:
                messages.success(
                    request, f"{dataset.name} is registered. Upload its first version."
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
    return render(
        request,
        "datasets_registry/dataset_form.html",
        {"form": form, "standards": selectors.adopted_versions(), "creating": True},
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
            "badges": selectors.validation_badges(versions),
            "card": card_sections(dataset),
            "can_maintain": dataset.can_maintain(request.user),
            "citation": croissant.citation_text(dataset, latest, request.build_absolute_uri("/")),
        },
    )


CARD_LABELS = {
    "creators": "Creators",
    "source_datasets": "Source datasets",
    "provenance": "Provenance",
    "collection": "Collection",
    "captioning": "Captioning",
    "languages": "Languages",
    "personal_information": "Personal and sensitive information",
    "consent": "Consent and opt-out",
    "intended_uses": "Intended uses",
    "out_of_scope_uses": "Out-of-scope uses",
    "limitations": "Known limitations",
    "biases": "Known biases",
    "social_impact": "Social impact",
    "preprocessing": "Preprocessing",
    "maintenance": "Maintenance plan",
    "contact": "Contact",
    "citation": "Citation",
    "keywords": "Keywords",
}


def card_sections(dataset: Dataset) -> list[dict]:
    """The metadata as labelled, readable sections (in the standard's property order)."""
    metadata = dataset.metadata if isinstance(dataset.metadata, dict) else {}
    order = list((dataset.standard_version.schema or {}).get("properties", {}))
    keys = [k for k in order if k in metadata] + [k for k in metadata if k not in order]
    return [
        {
            "key": key,
            "label": CARD_LABELS.get(key, key.replace("_", " ").capitalize()),
            "value": _readable(metadata[key]),
        }
        for key in keys
    ]


def _readable(value):
    """Nested JSON → (label, value) pairs and lists the template renders without JSON syntax."""
    if isinstance(value, dict):
        return {
            "kind": "dict",
            "items": [(k.replace("_", " ").capitalize(), _readable(v)) for k, v in value.items()],
        }
    if isinstance(value, list):
        return {"kind": "list", "items": [_readable(v) for v in value]}
    if isinstance(value, bool):
        return {"kind": "text", "text": "yes" if value else "no"}
    return {"kind": "text", "text": "" if value is None else str(value)}


@login_required
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_for(request.user, slug)
    if not dataset.can_maintain(request.user):
        raise PermissionDenied("Only the owner, maintainers and staff may edit this dataset.")
    if request.method == "POST":
        form = DatasetEditForm(request.POST)
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
                _raise_for_page(exc)
                _apply_errors(form, exc)
            else:
                messages.success(request, "Saved.")
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
                    f"{dataset.standard_version} (current, {dataset.standard_version.status})",
                ),
                *form.fields["standard"].choices,
            ]
    return render(
        request,
        "datasets_registry/dataset_form.html",
        {"form": form, "dataset": dataset, "standards": selectors.adopted_versions()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_maintainers(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.dataset_for(request.user, slug)
    if not dataset.can_maintain(request.user):
        raise PermissionDenied("Only the owner, maintainers and staff see this page.")
    form = MaintainerForm()
    if request.method == "POST":
        if not dataset.can_manage_maintainers(request.user):
            raise PermissionDenied("Only the owner and staff choose maintainers.")
        User = get_user_model()
        if "remove" in request.POST:
            person = User.objects.filter(username=request.POST["remove"]).first()
            if person is not None:
                services.dataset_maintainer_remove(dataset=dataset, actor=request.user, user=person)
                messages.success(request, f"{person.public_name} no longer maintains it.")
            return redirect("datasets_registry:dataset_maintainers", slug=slug)
        form = MaintainerForm(request.POST)
        if form.is_valid():
            person = User.objects.filter(username=form.cleaned_data["username"]).first()
            try:
                services.dataset_maintainer_add(dataset=dataset, actor=request.user, user=person)
            except DomainError as exc:
                _raise_for_page(exc)
                _apply_errors(form, exc)
            else:
                messages.success(request, f"{person.public_name} now maintains {dataset.name}.")
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
        version = services.dataset_version_create(
            dataset=dataset,
            actor=request.user,
            upload=data["file"],
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
            "validation_panel": selectors.validation_panel_available(),
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


# --- standards ---------------------------------------------------------------------------------


def standard_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "datasets_registry/standard_list.html",
        {
            "standards": selectors.standards(),
            "can_create": bool(_groups_chaired(request.user)),
        },
    )


def _groups_chaired(user) -> list:
    """Working groups in which ``user`` may create standards (all active ones for staff)."""
    if not user.is_authenticated:
        return []
    from governance.models import Membership, WorkingGroup

    groups = WorkingGroup.objects.filter(status=WorkingGroup.Status.ACTIVE)
    if not user.is_staff:
        groups = groups.filter(
            memberships__user=user,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role=Membership.Role.CHAIR,
        )
    return list(groups.order_by("name"))


@login_required
def standard_create(request: HttpRequest) -> HttpResponse:
    groups = _groups_chaired(request.user)
    if not groups:
        raise PermissionDenied("Only chairs of a working group and staff create standards.")
    form = StandardForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = next(g for g in groups if g.slug == data["group"])
        try:
            standard = services.standard_create(
                actor=request.user,
                group=group,
                slug=data["slug"],
                name=data["name"],
                description=data["description"],
            )
        except DomainError as exc:
            _raise_for_page(exc)
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{standard.name} is created. Write its first draft.")
            return redirect("datasets_registry:standard_version_create", slug=standard.slug)
    return render(request, "datasets_registry/standard_form.html", {"form": form})


def standard_detail(request: HttpRequest, slug: str) -> HttpResponse:
    standard = selectors.standard_for(slug)
    versions = list(standard.versions.all())
    return render(
        request,
        "datasets_registry/standard_detail.html",
        {
            "standard": standard,
            "versions": versions,
            "adopted": next((v for v in versions if v.status == "adopted"), None),
            "can_edit": services.can_edit_standard(request.user, standard),
            "dataset_count": Dataset.objects.visible_to(request.user)
            .filter(standard_version__standard=standard)
            .count(),
        },
    )


def standard_version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.standard_version_for(slug, version)
    others = list(obj.standard.versions.exclude(pk=obj.pk).order_by("-created_at"))
    return render(
        request,
        "datasets_registry/standard_version.html",
        {
            "standard": obj.standard,
            "version": obj,
            "schema_json": json.dumps(obj.schema, indent=2, ensure_ascii=False),
            "rules_json": json.dumps(obj.rules, indent=2, ensure_ascii=False),
            "others": others,
            "can_edit": services.can_edit_standard(request.user, obj.standard),
            "propose_form": ProposeForm(),
        },
    )


@login_required
def standard_version_create(request: HttpRequest, slug: str) -> HttpResponse:
    standard = selectors.standard_for(slug)
    if not services.can_edit_standard(request.user, standard):
        raise PermissionDenied(
            f"Only chairs of {standard.group.name} and staff edit this standard."
        )
    base = standard.adopted_version or standard.versions.first()
    if request.method == "POST":
        form = StandardVersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                obj = services.standard_version_create(
                    standard=standard,
                    actor=request.user,
                    version=data["version"],
                    schema=data["schema"],
                    rules=data["rules"],
                    changelog=data["changelog"],
                )
            except DomainError as exc:
                _raise_for_page(exc)
                _apply_errors(form, exc)
            else:
                messages.success(request, f"Draft {obj.version} created.")
                return redirect(obj.get_absolute_url())
    else:
        form = StandardVersionForm(
            initial={
                "version": "",
                "schema": base.schema
                if base
                else {"$schema": services.JSON_SCHEMA_2020_12, "type": "object"},
                "rules": base.rules if base else {},
                "changelog": "",
            }
        )
    return render(
        request,
        "datasets_registry/standard_version_form.html",
        {"standard": standard, "form": form, "base": base},
    )


@login_required
def standard_version_edit(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.standard_version_for(slug, version)
    if not services.can_edit_standard(request.user, obj.standard):
        raise PermissionDenied(
            f"Only chairs of {obj.standard.group.name} and staff edit this standard."
        )
    if not obj.is_editable:
        messages.error(request, f"{obj} is {obj.status}: its content is immutable.")
        return redirect(obj.get_absolute_url())
    if request.method == "POST":
        form = StandardVersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                obj = services.standard_version_update(
                    version=obj,
                    actor=request.user,
                    new_version=data["version"],
                    schema=data["schema"],
                    rules=data["rules"],
                    changelog=data["changelog"],
                )
            except DomainError as exc:
                _raise_for_page(exc)
                _apply_errors(form, exc)
            else:
                messages.success(request, "Draft saved.")
                return redirect(obj.get_absolute_url())
    else:
        form = StandardVersionForm(
            initial={
                "version": obj.version,
                "schema": obj.schema,
                "rules": obj.rules,
                "changelog": obj.changelog,
            }
        )
    return render(
        request,
        "datasets_registry/standard_version_form.html",
        {"standard": obj.standard, "form": form, "version": obj},
    )


@login_required
@require_POST
def standard_version_propose(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.standard_version_for(slug, version)
    form = ProposeForm(request.POST)
    form.is_valid()
    try:
        proposal = services.standard_version_propose(
            version=obj,
            actor=request.user,
            title=form.cleaned_data.get("title", ""),
            summary=form.cleaned_data.get("summary", ""),
        )
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())
    messages.success(request, f"{obj} is proposed for adoption; its content is now frozen.")
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def standard_version_reopen(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.standard_version_for(slug, version)
    try:
        services.standard_version_reopen(version=obj, actor=request.user)
    except DomainError as exc:
        _raise_for_page(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{obj} is a draft again.")
    return redirect(obj.get_absolute_url())


def standard_diff(request: HttpRequest, slug: str) -> HttpResponse:
    """A line diff of two versions' schema, rules and changelog (pretty-printed, keys sorted)."""
    standard = selectors.standard_for(slug)
    versions = list(standard.versions.all())
    by_label = {v.version: v for v in versions}
    old = by_label.get(request.GET.get("from", ""))
    new = by_label.get(request.GET.get("to", ""))
    if old is None and new is None and len(versions) >= 2:
        new, old = versions[0], versions[1]
    sections = []
    if old is not None and new is not None:
        for title, attr in (
            ("Schema", "schema"),
            ("Caption rules", "rules"),
            ("Changelog", "changelog"),
        ):
            sections.append(
                {"title": title, "lines": diff_lines(getattr(old, attr), getattr(new, attr))}
            )
    return render(
        request,
        "datasets_registry/standard_diff.html",
        {"standard": standard, "versions": versions, "old": old, "new": new, "sections": sections},
    )


def _lines(value) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def diff_lines(old, new) -> list[tuple[str, str]]:
    """``[(kind, text)]`` with kind ``same``, ``add``, ``del`` or ``hunk`` (a unified diff)."""
    out = []
    for line in difflib.unified_diff(_lines(old), _lines(new), "old", "new", lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(("hunk", line))
        elif line.startswith("+"):
            out.append(("add", line[1:]))
        elif line.startswith("-"):
            out.append(("del", line[1:]))
        else:
            out.append(("same", line[1:]))
    return out
