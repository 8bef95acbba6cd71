"""Pages of the red team: campaign (public counts, timelines, the public record), findings
list and detail (visibility-scoped: 404 for an embargoed finding you may not see), the
file-a-finding form and the triage actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.errors import DomainError, NotFound
from config.markdown import render as render_markdown
from config.pages import raise_for_page, write_view

from . import selectors, services
from .models import Evidence, Finding
from .services import TRANSITIONS
from .taxonomy import CATEGORIES, CATEGORY_CHOICES, RUBRIC, SEVERITIES


def _campaign(request, pk):
    try:
        return selectors.campaign_for(request.user, pk)
    except NotFound as exc:
        raise_for_page(exc)


def _finding(request, pk) -> Finding:
    try:
        return selectors.finding_for(request.user, pk)
    except NotFound as exc:
        raise_for_page(exc)


def version_campaigns(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """A version's campaigns with their public counts; a chair of the group opens one here."""
    from datetime import datetime

    from django.utils import timezone

    from governance import roles
    from models_registry import selectors as model_selectors

    try:
        model_version = model_selectors.version_for(request.user, slug, version)
    except NotFound as exc:
        raise_for_page(exc)
    is_chair = roles.is_chair(request.user, model_version.model.group_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")

        def when(name):
            raw = request.POST.get(name, "")
            try:
                return timezone.make_aware(datetime.fromisoformat(raw)) if raw else None
            except ValueError:
                errors[name] = [_("A date and time.")]
                return None

        starts, ends = when("starts_at"), when("ends_at")
        if not errors and (starts is None or ends is None):
            errors["starts_at"] = [_("Give the start and the end.")]
        if not errors:
            try:
                campaign = services.campaign_create(
                    actor=request.user,
                    version=model_version,
                    title=request.POST.get("title", ""),
                    scope=request.POST.get("scope", ""),
                    starts_at=starts,
                    ends_at=ends,
                    participation=request.POST.get("participation", "invited"),
                    disclosure_days=int(request.POST.get("disclosure_days") or 30),
                    triagers=request.POST.get("triagers", "").replace(",", " ").split(),
                )
            except DomainError as exc:
                raise_for_page(exc)
                errors = dict(exc.errors) or {"form": [exc.message]}
            else:
                messages.success(request, _("Campaign opened."))
                return redirect(campaign.get_absolute_url())
    campaigns = list(selectors.campaign_queryset().filter(version=model_version))
    counts = selectors.counts_for([c.pk for c in campaigns])
    return render(
        request,
        "redteam/version_campaigns.html",
        {
            "version": model_version,
            "rows": [{"campaign": c, "counts": counts[c.pk]} for c in campaigns],
            "is_chair": is_chair,
            "errors": errors,
            "values": request.POST if request.method == "POST" else {},
            "participations": services.Campaign.Participation.choices,
        },
        status=400 if errors else 200,
    )


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    user = request.user
    invitation = None
    if user.is_authenticated:
        invitation = campaign.invitations.filter(user=user).first()
    return render(
        request,
        "redteam/campaign_detail.html",
        {
            "campaign": campaign,
            "scope_html": render_markdown(campaign.scope),
            "counts": selectors.counts(campaign),
            "timelines": selectors.timelines(campaign),
            "record": list(selectors.public_record(campaign)),
            "visible_ids": set(selectors.findings_for(user, campaign).values_list("pk", flat=True)),
            "invitation": invitation,
            "may_file": not services.participation_problem(user, campaign),
            "why_not": services.participation_problem(user, campaign),
        },
    )


@write_view
def campaign_accept(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    services.accept(user=request.user, campaign=campaign)
    messages.success(request, _("Invitation accepted: you may file findings."))
    return redirect(campaign.get_absolute_url())


def finding_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    qs = selectors.findings_for(request.user, campaign)
    status = request.GET.get("status", "")
    if status in Finding.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "redteam/finding_list.html",
        {
            "campaign": campaign,
            "page_obj": page,
            "statuses": Finding.Status.choices,
            "status": status,
        },
    )


def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    is_triager = services.is_triager(request.user, finding.campaign)
    return render(
        request,
        "redteam/finding_detail.html",
        {
            "finding": finding,
            "category": CATEGORIES[finding.category],
            "description_html": render_markdown(finding.description),
            "history": list(finding.history.select_related("actor")),
            "evidence": list(finding.evidence.all()),
            "is_triager": is_triager,
            "next_states": TRANSITIONS[finding.status] if is_triager else (),
            "severities": SEVERITIES,
        },
    )


@login_required
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    values = request.POST if request.method == "POST" else {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":

        def num(name, cast=int):
            raw = (request.POST.get(name) or "").strip()
            if not raw:
                return None
            try:
                return cast(raw)
            except ValueError:
                return raw

        data = {
            "title": request.POST.get("title", ""),
            "category": request.POST.get("category", ""),
            "severity": request.POST.get("severity", ""),
            "description": request.POST.get("description", ""),
            "reproduction": {
                "prompt": request.POST.get("prompt", ""),
                "negative_prompt": request.POST.get("negative_prompt", ""),
                "seed": num("seed"),
                "sampler": request.POST.get("sampler", ""),
                "steps": num("steps"),
                "guidance_scale": num("guidance_scale", float),
                "width": num("width"),
                "height": num("height"),
            },
        }
        try:
            finding = services.finding_file(
                actor=request.user,
                campaign=campaign,
                data=data,
                files=request.FILES.getlist("evidence"),
            )
        except DomainError as exc:
            raise_for_page(exc)
            errors = {k.removeprefix("reproduction."): v for k, v in exc.errors.items()} or {
                "form": [exc.message]
            }
        else:
            messages.success(
                request,
                _("Finding #%(number)s filed; commitment %(commitment)s.")
                % {"number": finding.number, "commitment": finding.commitment},
            )
            return redirect(finding.get_absolute_url())
    else:
        problem = services.participation_problem(request.user, campaign)
        if problem:
            messages.error(request, problem)
            return redirect(campaign.get_absolute_url())
    return render(
        request,
        "redteam/finding_form.html",
        {
            "campaign": campaign,
            "values": values,
            "errors": errors,
            "categories": CATEGORY_CHOICES,
            "severities": SEVERITIES,
            "rubric": RUBRIC,
        },
        status=400 if errors else 200,
    )


@write_view
def finding_transition(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    post = request.POST
    services.transition(
        actor=request.user,
        finding=finding.pk,
        to=post.get("to", ""),
        note=post.get("note", ""),
        severity=post.get("severity") or None,
        duplicate_of=int(post["duplicate_of"]) if post.get("duplicate_of", "").isdigit() else None,
        fixed_in=post.get("fixed_in") or None,
        decision=post.get("decision") or None,
    )
    messages.success(request, _("Finding #%(number)s updated.") % {"number": finding.number})
    return redirect(reverse("redteam:finding_detail", kwargs={"pk": finding.pk}))


def evidence_file(request: HttpRequest, pk: int, evidence: int) -> HttpResponse:
    finding = _finding(request, pk)
    item = Evidence.objects.filter(finding=finding, pk=evidence).first()
    if item is None:
        raise Http404("No such evidence.")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
