"""Pages of the models registry: list, model, version, register-version form, release."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.errors import DomainError, NotFound
from config.pages import raise_for_page, write_view
from datasets_registry import uploads
from governance.models import WorkingGroup

from . import card, gate, lineage, selectors, services
from .bootstrap import load_card
from .models import ModelFile, ModelVersion


def _model(request, slug):
    try:
        return selectors.model_for(request.user, slug)
    except NotFound as exc:
        raise_for_page(exc)


def _badges(model) -> list[dict[str, str]]:
    versions = list(model.versions.all())
    out = []
    if any(v.status == ModelVersion.Status.RELEASED for v in versions):
        out.append({"css": "passed", "label": pgettext("model version", "released")})
    elif any(v.status == ModelVersion.Status.CANDIDATE for v in versions):
        out.append({"css": "", "label": pgettext("model version", "candidate")})
    if versions:
        latest = versions[0]
        ok = (latest.checks or {}).get("passed")
        out.append(
            {
                "css": "passed" if ok else "errors",
                "label": _("checks passed") if ok else _("checks failed"),
            }
        )
    return out


def model_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    qs = selectors.models_for(
        request.user,
        q=params.get("q", ""),
        group=params.get("group", ""),
        status=params.get("status", ""),
        checks=params.get("checks", ""),
    )
    page = Paginator(qs.order_by("-created_at", "-pk"), 25).get_page(params.get("page"))
    rows = [{"model": m, "badges": _badges(m)} for m in page.object_list]
    return render(
        request,
        "models_registry/model_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "groups": WorkingGroup.objects.filter(models__isnull=False).distinct().order_by("name"),
            "statuses": ModelVersion.Status.choices,
            "params": params,
        },
    )


def model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    model = _model(request, slug)
    return render(
        request,
        "models_registry/model_detail.html",
        {
            "model": model,
            "versions": list(model.versions.all()),
            "badges": _badges(model),
            "can_maintain": model.can_maintain(request.user),
        },
    )


def version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    try:
        obj = selectors.version_for(request.user, slug, version)
    except NotFound as exc:
        raise_for_page(exc)
    tunes = selectors.fine_tunes_for(request.user, obj)
    proposal = selectors.release_proposal(obj)
    return render(
        request,
        "models_registry/version_detail.html",
        {
            "model": obj.model,
            "version": obj,
            "files": list(obj.files.all()),
            "graph": lineage.layout(lineage.graph(obj, tunes)),
            "gate": gate.verdict(obj),
            "proposal": proposal,
            "decision": obj.decision if obj.release_decision_id else None,
            "card_markdown": card.render(obj),
            "can_maintain": obj.model.can_maintain(request.user),
        },
    )


def _may_register(request: HttpRequest, slug: str) -> bool:
    model = selectors.models_for(request.user).filter(slug=slug).first()
    return bool(model and model.can_maintain(request.user))


ROLE_FIELDS = (
    ModelFile.Role.WEIGHTS,
    ModelFile.Role.CONFIG,
    ModelFile.Role.FINETUNE_SCRIPT,
    ModelFile.Role.DOCS,
    ModelFile.Role.OTHER,
)


def _default_card() -> str:
    import json

    schema = load_card()["schema"]
    defaults = {k: v["default"] for k, v in schema["properties"].items() if "default" in v}
    defaults.update({k: "" for k in schema["required"] if k not in defaults})
    return json.dumps(defaults, indent=2)


@uploads.streams_files(guard=_may_register)
@login_required
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The register-version form; its POST streams every file through the hashing handler."""
    model = _model(request, slug)
    if not model.can_maintain(request.user):
        raise PermissionDenied(_("Only the owner, maintainers and staff may register versions."))
    values = {"card": _default_card(), "training_data": "[]", "external": "[]"}
    if request.method != "POST":
        return _form(request, model, values)
    try:
        uploads.receive(request)
        post = request.POST
        values = {
            k: post.get(k, "")
            for k in ("version", "card", "card_body", "training_data", "base_model", "external")
        }
        files = [
            services.IncomingFile(path=f.name, role=role, upload=f)
            for role in ROLE_FIELDS
            for f in request.FILES.getlist(role)
        ]
        obj = services.version_register(
            model=model,
            actor=request.user,
            version=values["version"],
            card=values["card"],
            card_body=values["card_body"],
            training_data=values["training_data"],
            base_model=values["base_model"],
            files=files,
            external=values["external"] or None,
        )
    except DomainError as exc:
        raise_for_page(exc)
        return _form(request, model, values, exc, status=exc.status_code)
    messages.success(
        request,
        _("Version %(version)s is registered (manifest sha256 %(sha256)s…).")
        % {"version": obj.version, "sha256": obj.manifest_sha256[:12]},
    )
    return redirect(obj.get_absolute_url())


def _form(request, model, values, exc: DomainError | None = None, status: int = 200):
    return render(
        request,
        "models_registry/version_form.html",
        {
            "model": model,
            "values": values,
            "error": exc,
            "errors": sorted((exc.errors or {}).items()) if exc else [],
            "roles": ROLE_FIELDS,
            "max_bytes": settings.MODEL_UPLOAD_MAX_BYTES,
        },
        status=status,
    )


def _back(slug: str, version: str) -> str:
    from django.urls import reverse

    return reverse("models_registry:version_detail", kwargs={"slug": slug, "version": version})


@write_view(back=_back)
def version_propose_release(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.version_for(request.user, slug, version)
    proposal = services.propose_release(version=obj, actor=request.user)
    messages.success(
        request,
        _("Release proposal #%(number)s is open as a draft.") % {"number": proposal.number},
    )
    return redirect(proposal.get_absolute_url())
