"""Standard pages: list, create, versions, draft editor, proposal, diff."""

from __future__ import annotations

import difflib
import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.errors import DomainError
from config.pages import apply_errors, write_view
from governance import roles
from governance.models import WorkingGroup

from .. import selectors, services
from ..forms import (
    ProposeForm,
    StandardForm,
    StandardVersionForm,
)
from ..models import Dataset

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
    groups = WorkingGroup.objects.all() if user.is_staff else roles.chaired_groups(user)
    return list(groups.filter(status=WorkingGroup.Status.ACTIVE).order_by("name"))


@login_required
def standard_create(request: HttpRequest) -> HttpResponse:
    groups = _groups_chaired(request.user)
    if not groups:
        raise PermissionDenied(_("Only chairs of a working group and staff create standards."))
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
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is created. Write its first draft.") % {"name": standard.name},
            )
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
            "changelog": changelog_for_display(obj.changelog, obj.status),
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
            _("Only chairs of %(group)s and staff edit this standard.")
            % {"group": standard.group.name}
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
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Draft %(version)s created.") % {"version": obj.version}
                )
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
            _("Only chairs of %(group)s and staff edit this standard.")
            % {"group": obj.standard.group.name}
        )
    if not obj.is_editable:
        messages.error(
            request,
            _("%(version)s is %(status)s: its content is immutable.")
            % {"version": obj, "status": obj.status},
        )
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
                apply_errors(form, exc)
            else:
                messages.success(request, _("Draft saved."))
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


def _version_page(slug: str, version: str) -> str:
    return reverse("datasets_registry:standard_version", kwargs={"slug": slug, "version": version})


@write_view(back=_version_page)
def standard_version_propose(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.standard_version_for(slug, version)
    form = ProposeForm(request.POST)
    form.is_valid()
    proposal = services.standard_version_propose(
        version=obj,
        actor=request.user,
        title=form.cleaned_data.get("title", ""),
        summary=form.cleaned_data.get("summary", ""),
        base_url=request.build_absolute_uri("/"),
    )
    messages.success(
        request,
        _("%(version)s is proposed for adoption; its content is now frozen.") % {"version": obj},
    )
    return redirect(proposal.get_absolute_url())


@write_view(back=_version_page)
def standard_version_reopen(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = selectors.standard_version_for(slug, version)
    services.standard_version_reopen(version=obj, actor=request.user)
    messages.success(request, _("%(version)s is a draft again.") % {"version": obj})
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
            (_("Schema"), "schema"),
            (_("Caption rules"), "rules"),
            (_("Changelog"), "changelog"),
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


_DRAFT_IN_HEADING = re.compile(r"^(#{1,6}\s.*?)\s*\((?:draft|Draft)\)\s*$", re.MULTILINE)


def changelog_for_display(text: str, status: str) -> str:
    """A changelog's headings lose a "(draft)" their author wrote once the version is no longer a
    draft: the page shows the version's status (issue 16, defect 19). Display only; the stored
    text, and the version's sha256, are unchanged."""
    if status == "draft":
        return text or ""
    return _DRAFT_IN_HEADING.sub(r"\1", text or "")
