"""Reads of the red team: what a person may see, the public counts, timelines, the gate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.errors import NotFound

from .models import Campaign, Finding
from .taxonomy import SEVERITIES, at_or_above

S = Finding.Status


def campaign_queryset():
    return Campaign.objects.select_related("version__model__group")


def campaign_for(user, pk) -> Campaign:
    campaign = campaign_queryset().visible_to(user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("No such campaign."))
    return campaign


def finding_queryset():
    return Finding.objects.select_related(
        "campaign__version__model__group", "reporter", "duplicate_of", "fixed_in"
    )


def findings_for(user, campaign: Campaign | None = None):
    qs = finding_queryset().filter(pk__in=Finding.objects.visible_to(user).values("pk"))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-filed_at", "-pk")


def finding_for(user, pk) -> Finding:
    finding = findings_for(user).filter(pk=pk).first()
    if finding is None:
        raise NotFound(_("No such finding."))
    return finding


def counts(campaign: Campaign) -> dict[str, dict[str, int]]:
    """Public: how many findings by severity and by status (one query)."""
    rows = campaign.findings.values("severity", "status").annotate(n=Count("pk")).order_by()
    by_severity = dict.fromkeys(SEVERITIES, 0)
    by_status = dict.fromkeys(S.values, 0)
    for row in rows:
        by_severity[row["severity"]] += row["n"]
        by_status[row["status"]] += row["n"]
    return {"by_severity": by_severity, "by_status": by_status}


def counts_for(campaign_ids) -> dict[int, dict[str, dict[str, int]]]:
    """``counts`` for many campaigns in one query (lists)."""
    out = {
        pk: {"by_severity": dict.fromkeys(SEVERITIES, 0), "by_status": dict.fromkeys(S.values, 0)}
        for pk in campaign_ids
    }
    rows = (
        Finding.objects.filter(campaign_id__in=list(out))
        .values("campaign_id", "severity", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        out[row["campaign_id"]]["by_severity"][row["severity"]] += row["n"]
        out[row["campaign_id"]]["by_status"][row["status"]] += row["n"]
    return out


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def timelines(campaign: Campaign) -> dict[str, Any]:
    """Mean hours from filing to triage and to confirmation (public; one query)."""
    agg = campaign.findings.aggregate(
        triage=Avg(F("triaged_at") - F("filed_at"), filter=Q(triaged_at__isnull=False)),
        confirm=Avg(F("confirmed_at") - F("filed_at"), filter=Q(confirmed_at__isnull=False)),
        triaged=Count("pk", filter=Q(triaged_at__isnull=False)),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
    )
    return {
        "time_to_triage_hours": _hours(agg["triage"]),
        "time_to_confirm_hours": _hours(agg["confirm"]),
        "triaged": agg["triaged"],
        "confirmed": agg["confirmed"],
    }


def public_record(campaign: Campaign):
    """Every finding's public line: number, severity, status, filing time, commitment."""
    return campaign.findings.order_by("number").values(
        "pk", "number", "severity", "status", "filed_at", "commitment", "disclosed_at"
    )


def blocking(version) -> list[dict[str, Any]]:
    """Findings that block releasing ``version``: on campaigns of this model's versions up to
    this one, at or above the group's threshold, and not resolved for it (new, triaged,
    confirmed; or mitigated only in a later version)."""
    from .services import threshold_of

    cached = getattr(version, "_redteam_blocking", None)
    if cached is not None:
        return cached
    threshold = getattr(version, "_redteam_threshold", None) or threshold_of(version.model.group_id)
    scope = Finding.objects.filter(
        campaign__version__model_id=version.model_id,
        campaign__version__created_at__lte=version.created_at,
        severity__in=at_or_above(threshold),
    )
    open_states = (S.NEW, S.TRIAGED, S.CONFIRMED)
    later_fix = Q(fixed_in__created_at__gt=version.created_at)
    unresolved = (
        Q(status__in=open_states)
        | Q(status=S.DISCLOSED, resolution=S.CONFIRMED)  # the period ended, still not fixed
        | (Q(status=S.MITIGATED) & later_fix)
        | (Q(status=S.DISCLOSED, resolution=S.MITIGATED) & later_fix)
    )
    rows = scope.filter(unresolved).order_by("campaign_id", "number")
    return [
        {
            "campaign": r["campaign_id"],
            "number": r["number"],
            "severity": r["severity"],
            "status": r["status"],
        }
        for r in rows.values("campaign_id", "number", "severity", "status")
    ]


def prepare_gate_page(versions) -> None:
    """For a page of versions: each group's threshold once, and, when none of their models has a
    finding at all (the usual case), no blocking query per version."""
    from .services import threshold_of

    thresholds: dict[int, str] = {}
    for v in versions:
        group_id = v.model.group_id
        if group_id not in thresholds:
            thresholds[group_id] = threshold_of(group_id)
        v._redteam_threshold = thresholds[group_id]
    model_ids = {v.model_id for v in versions}
    if model_ids and not Finding.objects.filter(campaign__version__model_id__in=model_ids).exists():
        for v in versions:
            v._redteam_blocking = []


def gate_reasons(version) -> list[str]:
    from .services import threshold_of

    rows = blocking(version)
    if not rows:
        return []
    threshold = getattr(version, "_redteam_threshold", None) or threshold_of(version.model.group_id)
    listed = ", ".join(f"#{r['number']} ({r['severity']}, {r['status']})" for r in rows)
    return [
        ngettext(
            "%(count)s unresolved red-team finding at or above %(threshold)s: %(listed)s.",
            "%(count)s unresolved red-team findings at or above %(threshold)s: %(listed)s.",
            len(rows),
        )
        % {"count": len(rows), "threshold": threshold, "listed": listed}
    ]


def findings_summary(version) -> dict[str, Any]:
    """The release record's summary (the keys ``models_registry.gate.findings_summary`` names)."""
    findings = Finding.objects.filter(campaign__version=version)
    return {
        "campaigns": Campaign.objects.filter(version=version).count(),
        "findings": findings.count(),
        "unresolved": findings.filter(status__in=(S.NEW, S.TRIAGED, S.CONFIRMED)).count(),
    }
