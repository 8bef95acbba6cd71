"""Website: the live panel (htmx), cancel and re-validate buttons, and the issue browser."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from config.errors import Conflict, NotAllowed
from config.pages import write_view
from datasets_registry.captions import RULES
from datasets_registry.models import Dataset
from datasets_registry.selectors import version_for

from . import selectors, services
from .models import ValidationRun

PAGE_SIZE = 50


def _run_for(request: HttpRequest, pk: int) -> ValidationRun:
    run = get_object_or_404(
        ValidationRun.objects.select_related("version__dataset", "standard_version__standard"),
        pk=pk,
    )
    if not Dataset.objects.visible_to(request.user).filter(pk=run.version.dataset_id).exists():
        raise Http404("No such validation run.")
    return run


def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The validation panel alone: polled by htmx while a run is in progress."""
    run = _run_for(request, pk)
    dataset = run.version.dataset
    return render(
        request,
        "validation/_panel.html",
        {
            "validation_run": run,
            "version": run.version,
            "dataset": dataset,
            "can_maintain": dataset.can_maintain(request.user),
        },
    )


def _run_page(pk: int) -> str:
    run = ValidationRun.objects.select_related("version__dataset").filter(pk=pk).first()
    return run.version.get_absolute_url() if run is not None else "/"


def _version_page(slug: str, version: str) -> str:
    return reverse("datasets_registry:version_detail", kwargs={"slug": slug, "version": version})


def _refused_on_the_page(exc: NotAllowed) -> Conflict:
    # Someone who may see a run but not act on it (the panel shows them no button) goes back to
    # the version page with the reason, as these buttons always did, rather than to a 403 page.
    return Conflict(exc.message, errors=exc.errors)


@write_view(back=_run_page)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    try:
        services.run_cancel(run=run, actor=request.user)
    except NotAllowed as exc:
        raise _refused_on_the_page(exc) from exc
    messages.success(request, "The validation run was cancelled.")
    return redirect(run.version.get_absolute_url())


@write_view(back=_version_page)
def revalidate(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = version_for(request.user, slug, version)
    try:
        services.run_request(version=obj, actor=request.user)
    except NotAllowed as exc:
        raise _refused_on_the_page(exc) from exc
    messages.success(request, "A new validation run was queued.")
    return redirect(obj.get_absolute_url())


def issues(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """Every failing row of the latest run's report, filtered by rule and severity."""
    obj = version_for(request.user, slug, version)
    run = selectors.latest_run(obj)
    rule = request.GET.get("rule", "")
    severity = request.GET.get("severity", "")
    if rule not in RULES:
        rule = ""
    if severity not in selectors.SEVERITIES:
        severity = ""
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    rows, more = [], False
    if run is not None and run.report:
        rows, more = selectors.report_page(
            run, rule=rule, severity=severity, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    rows = [
        selectors.highlight(
            {**i, "explanation": RULES.get(i["rule"], {}).get("explanation", "")},
            run.rules.get("banned_terms") if run is not None else None,
        )
        for i in rows
    ]
    rule_choices = sorted(run.by_rule) if run is not None else []
    return render(
        request,
        "validation/issues.html",
        {
            "dataset": obj.dataset,
            "version": obj,
            "run": run,
            "rows": rows,
            "rule": rule,
            "severity": severity,
            "rule_choices": [
                (code, RULES.get(code, {}).get("title", code)) for code in rule_choices
            ],
            "page": page_number,
            "has_next": more,
            "has_previous": page_number > 1,
        },
    )
