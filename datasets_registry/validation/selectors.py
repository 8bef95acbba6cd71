"""Reads for caption validation: the latest run, badges, the panel's summary, report pages."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from datasets_registry.annotations import Badge, Panel
from datasets_registry.captions import RULES, read_report_page, report_position
from datasets_registry.captions.messages import localize
from datasets_registry.captions.rules import find_span

from .models import IssueSample, ValidationRun

SEVERITIES = ("error", "warning")


def latest_run(version) -> ValidationRun | None:
    """The most recent run of a dataset version (None when it was never validated)."""
    return (
        ValidationRun.objects.filter(version=version)
        .select_related("standard_version__standard")
        .order_by("-created_at", "-pk")
        .first()
    )


def latest_runs(versions) -> dict[int, ValidationRun]:
    """{version id: latest run} for many versions in one query (for lists)."""
    ids = [v.pk for v in versions]
    runs: dict[int, ValidationRun] = {}
    # Badges need the state and counts, not the rule set or the report index (large JSON).
    heavy = ("rules", "report_index", "file_issues", "column_mapping")
    for run in (
        ValidationRun.objects.filter(version_id__in=ids)
        .defer(*heavy)
        .order_by("version_id", "-created_at", "-pk")
    ):
        runs.setdefault(run.version_id, run)
    return runs


def rule_title(code: str) -> str:
    """A rule's title in the reader's language (its code when the rule is unknown)."""
    title = RULES.get(code, {}).get("title")
    return _(title) if title else code


def rule_explanation(code: str) -> str:
    """A rule's explanation in the reader's language ("" when the rule is unknown)."""
    explanation = RULES.get(code, {}).get("explanation")
    return _(explanation) if explanation else ""


def status_label(run: ValidationRun) -> str:
    """The run's state in lower case, in the reader's language ("queued", "failed")."""
    return str(run.get_status_display()).lower()


def badge_for(run: ValidationRun | None) -> dict[str, str]:
    """``{"css": ..., "label": ...}`` for lists: passed / warnings / errors, or the run's state."""
    if run is None:
        return {"css": "", "label": _("not validated")}
    if run.status == ValidationRun.Status.SUCCEEDED:
        sev = run.by_severity
        if sev["error"]:
            n = sev["error"]
            label = ngettext("%(n)s error", "%(n)s errors", n) % {"n": f"{n:,}"}
            return {"css": "errors", "label": label}
        if sev["warning"]:
            n = sev["warning"]
            label = ngettext("%(n)s warning", "%(n)s warnings", n) % {"n": f"{n:,}"}
            return {"css": "warnings", "label": label}
        return {"css": "passed", "label": _("passed")}
    if run.status == ValidationRun.Status.RUNNING:
        return {
            "css": "running",
            "label": _("validating %(percent)s%%") % {"percent": run.progress_percent},
        }
    return {"css": run.status, "label": status_label(run)}


def version_badges(versions) -> dict[int, Badge]:
    """What the registry's lists show about each version (``annotations``): one query."""
    runs = latest_runs(versions)
    out = {}
    for version in versions:
        run = runs.get(version.pk)
        found = badge_for(run)
        title = _("Caption validation: %(status)s") % {"status": status_label(run)} if run else ""
        out[version.pk] = Badge(label=found["label"], css=found["css"], title=title)
    return out


def version_panel(version, user) -> Panel | None:
    """The version page's validation section (``annotations``): the latest run's panel."""
    run = latest_run(version)
    if run is None:
        return None
    dataset = version.dataset
    return Panel(
        "validation/_panel.html",
        {
            "validation_run": run,
            "version": version,
            "dataset": dataset,
            "can_maintain": dataset.can_maintain(user),
        },
    )


def rule_rows(run: ValidationRun) -> list[dict[str, Any]]:
    """Counts per rule, largest first, with the bar width (percent of the largest) and the
    rule's explanation, for the panel's bar chart."""
    counts = run.by_rule
    if not counts:
        return []
    top = max(counts.values())
    rules = run.rules.get("rules", {})
    out = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        spec = RULES.get(code, {})
        out.append(
            {
                "code": code,
                "count": n,
                "severity": rules.get(code, {}).get("severity", spec.get("severity", "error")),
                "title": rule_title(code),
                "explanation": rule_explanation(code),
                "percent": max(1, round(100 * n / top)),
                "share": 100 * n / run.rows_total if run.rows_total else None,
            }
        )
    return out


def highlight(issue: dict[str, Any], banned_terms: list[str] | None = None) -> dict[str, Any]:
    """Split the issue's value into before / match / after around its span (for <mark>)."""
    value = issue.get("value") or ""
    span = issue.get("span") or find_span(issue["rule"], value, banned_terms)
    if span and 0 <= span[0] <= span[1] <= len(value):
        return {
            **issue,
            "before": value[: span[0]],
            "match": value[span[0] : span[1]],
            "after": value[span[1] :],
        }
    return {**issue, "before": value, "match": "", "after": ""}


def samples(
    run: ValidationRun,
    *,
    rule: str = "",
    severity: str = "",
    limit: int = 50,
    per_rule: int | None = None,
) -> list[dict[str, Any]]:
    """Sample issues in row order; ``per_rule`` keeps only the first few of each rule, so that
    one frequent rule does not hide the others."""
    qs = IssueSample.objects.filter(run=run)
    if rule:
        qs = qs.filter(rule=rule)
    if severity:
        qs = qs.filter(severity=severity)
    banned = run.rules.get("banned_terms") or []
    picked = []
    seen: dict[str, int] = {}
    for s in qs.order_by("row", "rule", "pk"):
        if per_rule is not None:
            if seen.get(s.rule, 0) >= per_rule:
                continue
            seen[s.rule] = seen.get(s.rule, 0) + 1
        picked.append(s)
        if len(picked) >= limit:
            break
    return [
        highlight(
            {
                "row": s.row,
                "rule": s.rule,
                "severity": s.severity,
                "message": localize(s.message, _),
                "value": s.value,
                "explanation": rule_explanation(s.rule),
            },
            banned,
        )
        for s in picked
    ]


def _severities(run: ValidationRun) -> dict[str, str]:
    """Rule code -> severity, as the run was configured (what a report filter reads)."""
    return {code: r["severity"] for code, r in (run.rules.get("rules") or {}).items()}


def report_page(
    run: ValidationRun, *, rule: str = "", severity: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[dict[str, Any]], bool]:
    """(issues from position ``offset`` of the filtered report, whether more follow). Reads only
    the blocks of the report that hold the page (runs stored before the block index existed are
    scanned from the start)."""
    if not run.report:
        return [], False
    severities = _severities(run)
    with default_storage.open(run.report.name, "rb") as report:
        return read_report_page(
            report,
            run.report_index or [],
            severities,
            rule=rule,
            severity=severity,
            offset=offset,
            limit=limit,
        )


def row_position(run: ValidationRun, row: int, *, rule: str = "", severity: str = "") -> int:
    """How many of the run's filtered issues come before row ``row`` (where it is listed)."""
    if not run.report:
        return 0
    severities = _severities(run)
    with default_storage.open(run.report.name, "rb") as report:
        return report_position(
            report, run.report_index or [], severities, row=row, rule=rule, severity=severity
        )


def report_total(run: ValidationRun, *, rule: str = "", severity: str = "") -> int:
    """How many issues of the run's report pass the filter, from its counts (no file read)."""
    if rule:
        configured = (run.rules.get("rules") or {}).get(rule, {})
        rule_severity = configured.get("severity", RULES.get(rule, {}).get("severity", "error"))
        if severity and severity != rule_severity:
            return 0
        return run.by_rule.get(rule, 0)
    if severity:
        return run.by_severity.get(severity, 0)
    return run.issue_count


class ReportRows:
    """The filtered issues of a run's report as a sequence a ``Paginator`` can page ("page X of
    Y"): its length comes from the run's counts, and a slice reads only the report blocks that
    hold it."""

    def __init__(self, run: ValidationRun, *, rule: str = "", severity: str = ""):
        self.run, self.rule, self.severity = run, rule, severity

    def __len__(self) -> int:
        return (
            report_total(self.run, rule=self.rule, severity=self.severity) if self.run.report else 0
        )

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice):
            raise TypeError("ReportRows are read by slices (pages).")
        start = index.start or 0
        stop = len(self) if index.stop is None else index.stop
        if stop <= start:
            return []
        rows, _more = report_page(
            self.run, rule=self.rule, severity=self.severity, offset=start, limit=stop - start
        )
        return rows
