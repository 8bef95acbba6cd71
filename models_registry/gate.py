"""The release gate: charter as code.

A model version may go to a release vote, and a release may be recorded, only when every gate
check finds nothing. A check is a function ``check(version) -> list[str]`` (the reasons it
blocks, in the active language: they are shown, never stored; empty when it passes) registered with :func:`gate_check`. Other apps add theirs from
their ``AppConfig.ready`` (the red team adds "no unresolved finding at or above the group's
threshold") without touching this module::

    from models_registry.gate import gate_check

    @gate_check("red_team_findings")
    def no_open_findings(version): ...

Release summaries of red-team findings come the same way, from providers registered with
:func:`findings_provider`; with none, the summary says no campaign ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext, ngettext

from .models import ModelFile, ModelVersion

GateCheck = Callable[[ModelVersion], list[str]]
_CHECKS: dict[str, GateCheck] = {}
_FINDINGS: list[Callable[[ModelVersion], dict[str, Any]]] = []
_PREPARERS: list[Callable[[list[ModelVersion]], None]] = []


def page_preparer(prepare: Callable[[list[ModelVersion]], None]):
    """Register ``prepare(versions)``, called once for a page of versions before their verdicts,
    so a check can load what it needs for the whole page in a query instead of one per version."""
    if prepare not in _PREPARERS:
        _PREPARERS.append(prepare)
    return prepare


def prepare_page(versions: list[ModelVersion]) -> None:
    for prepare in _PREPARERS:
        prepare(versions)


def gate_check(name: str) -> Callable[[GateCheck], GateCheck]:
    """Register ``check`` under ``name`` (registering a name again replaces it)."""

    def register(check: GateCheck) -> GateCheck:
        _CHECKS[name] = check
        return check

    return register


def unregister(name: str) -> None:
    _CHECKS.pop(name, None)


def check_names() -> list[str]:
    return list(_CHECKS)


def verdict(version: ModelVersion) -> dict[str, Any]:
    """``{"open": bool, "reasons": [str]}``: open when no check gave a reason."""
    reasons: list[str] = []
    for check in _CHECKS.values():
        reasons.extend(check(version))
    return {"open": not reasons, "reasons": reasons}


def closed_message(verdict: dict[str, Any]) -> str:
    """The error of a closed gate: one sentence, then its reasons (in the active language)."""
    return gettext("The release gate is closed: %(reasons)s") % {
        "reasons": " ".join(verdict["reasons"])
    }


def findings_provider(provider: Callable[[ModelVersion], dict[str, Any]]):
    _FINDINGS.append(provider)
    return provider


def findings_summary(version: ModelVersion) -> dict[str, Any]:
    summary: dict[str, Any] = {"campaigns": 0, "findings": 0, "unresolved": 0}
    for provider in _FINDINGS:
        summary.update(provider(version))
    return summary


# --- the checks this app ships -------------------------------------------------------------


@gate_check("status")
def releasable_status(version: ModelVersion) -> list[str]:
    if version.status in (ModelVersion.Status.CANDIDATE, ModelVersion.Status.IN_RED_TEAM):
        return []
    return [
        gettext("The version is %(status)s; only a candidate is released.")
        % {"status": version.get_status_display().lower()}
    ]


@gate_check("visibility")
def public_model(version: ModelVersion) -> list[str]:
    if version.model.is_public:
        return []
    return [gettext("The model is private; only a public model is released.")]


@gate_check("manifest_checks")
def manifest_checks(version: ModelVersion) -> list[str]:
    issues = (version.checks or {}).get("issues", [])
    if (version.checks or {}).get("passed"):
        return []
    return [
        ngettext(
            "%(count)s manifest check failed (see the checks).",
            "%(count)s manifest checks failed (see the checks).",
            len(issues),
        )
        % {"count": len(issues)}
    ]


@gate_check("weights")
def has_weights(version: ModelVersion) -> list[str]:
    if any(f["role"] == ModelFile.Role.WEIGHTS for f in version.manifest or []):
        return []
    return [gettext("The manifest has no weights file.")]


@gate_check("training_data")
def training_data_validated(version: ModelVersion) -> list[str]:
    from .lineage import dataset_version_problem

    reasons = []
    # Prefetched (with their dataset versions) by the selectors; latest runs may be preloaded
    # for a whole page of versions (``version._latest_runs``).
    links = list(version.training_data.all())
    if not links:
        reasons.append(gettext("The version names no training data."))
    runs = getattr(version, "_latest_runs", None)
    for link in links:
        problem = dataset_version_problem(link.dataset_version, runs=runs)
        if problem:
            reasons.append(
                gettext("Training data %(dataset_version)s: %(problem)s")
                % {"dataset_version": link.dataset_version, "problem": problem}
            )
    return reasons
