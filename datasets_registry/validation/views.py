"""Website: the live panel (htmx), cancel and re-validate buttons, and the issue browser."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.confirm import Confirmation, confirm_first
from config.errors import Conflict, NotAllowed
from config.pages import write_view
from datasets_registry.captions import RULES
from datasets_registry.captions.messages import localize
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


def _cancel_confirmation(request: HttpRequest, pk: int) -> Confirmation:
    run = _run_for(request, pk)
    version = run.version
    if not version.dataset.can_maintain(request.user):
        raise Conflict(
            _("Only the dataset's owner, maintainers or staff can cancel its validation.")
        )
    if run.status not in ValidationRun.ACTIVE:
        raise Conflict(
            _("This run is %(status)s; only a queued or running run can be cancelled.")
            % {"status": run.get_status_display().lower()}
        )
    return Confirmation(
        title=_("Cancel the validation of %(dataset)s %(version)s?")
        % {"dataset": version.dataset.name, "version": version.version},
        consequences=[
            _(
                "The run stops for good: the rows not yet checked are never checked, and the run "
                "gives no verdict."
            ),
            _("Validating again starts a new run from the first row."),
        ],
        button=_("Cancel the run"),
        cancel_url=version.get_absolute_url(),
    )


@confirm_first(_cancel_confirmation, back=_run_page)
@write_view(back=_run_page)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    try:
        services.run_cancel(run=run, actor=request.user)
    except NotAllowed as exc:
        raise _refused_on_the_page(exc) from exc
    messages.success(request, _("The validation run was cancelled."))
    return redirect(run.version.get_absolute_url())


@write_view(back=_version_page)
def revalidate(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = version_for(request.user, slug, version)
    try:
        services.run_request(version=obj, actor=request.user)
    except NotAllowed as exc:
        raise _refused_on_the_page(exc) from exc
    messages.success(request, _("A new validation run was queued."))
    return redirect(obj.get_absolute_url())


def _row_asked(request: HttpRequest, run: ValidationRun | None) -> tuple[int | None, str]:
    """(the row of "Go to row", or None; the reason it is refused, or "")."""
    raw = request.GET.get("row", "").strip().replace(",", "")
    if not raw:
        return None, ""
    last = run.rows_total if run is not None and run.rows_total else None
    if not raw.isdigit() or int(raw) < 1 or (last is not None and int(raw) > last):
        if last is None:
            return None, _("Give a row number, 1 or more.")
        return None, _("Give a row number from 1 to %(last)s.") % {"last": f"{last:,}"}
    return int(raw), ""


def issues(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """Every failing row of the latest run's report, filtered by rule and severity, "page X of
    Y", or the page that holds a given row ("Go to row", where a duplicate's first occurrence
    links). An unknown rule or severity, or a row outside the file, is a 400 with the reason
    beside its field."""
    obj = version_for(request.user, slug, version)
    run = selectors.latest_run(obj)
    rule = request.GET.get("rule", "")
    severity = request.GET.get("severity", "")
    errors = {}
    if rule and rule not in RULES:
        errors["rule"] = _("There is no rule %(rule)s; choose one from the list.") % {
            "rule": repr(rule)
        }
        rule = ""
    if severity and severity not in selectors.SEVERITIES:
        errors["severity"] = _("Choose errors or warnings.")
        severity = ""
    target, row_error = _row_asked(request, run)
    if row_error:
        errors["row"] = row_error
    page = None
    target_missing = False
    if run is not None and run.report and not errors:
        rows = selectors.ReportRows(run, rule=rule, severity=severity)
        paginator = Paginator(rows, PAGE_SIZE)
        number = request.GET.get("page")
        jumped = target is not None and not number
        if jumped:
            position = selectors.row_position(run, target, rule=rule, severity=severity)
            number = min(position // PAGE_SIZE + 1, max(paginator.num_pages, 1))
        page = paginator.get_page(number)
        banned = run.rules.get("banned_terms")
        listed = []
        previous_row = None
        for i in page.object_list:
            shown = selectors.highlight({**i, "message": localize(i.get("message", ""), _)}, banned)
            shown["anchor"] = i["row"] != previous_row  # one id per row, on its first issue
            shown["target"] = i["row"] == target
            previous_row = i["row"]
            listed.append(shown)
        page.object_list = listed
        target_missing = jumped and not any(i["target"] for i in listed)
    # Each rule's explanation once, above the table: per row it repeated the row's message.
    on_page = dict.fromkeys(i["rule"] for i in (page.object_list if page is not None else []))
    legend = [
        (code, selectors.rule_title(code), selectors.rule_explanation(code)) for code in on_page
    ]
    rule_choices = sorted(run.by_rule) if run is not None else []
    return render(
        request,
        "validation/issues.html",
        {
            "dataset": obj.dataset,
            "version": obj,
            "run": run,
            "page": page,
            "rows": page.object_list if page is not None else [],
            "legend": legend,
            "rule": rule,
            "severity": severity,
            "target": target,
            "target_missing": target_missing,
            "errors": errors,
            "rule_choices": [(code, selectors.rule_title(code)) for code in rule_choices],
        },
        status=400 if errors else 200,
    )
