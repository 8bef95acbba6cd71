"""Write services of the red team: the findings' workflow (campaigns are in ``campaigns``, re-exported here).

Every transition locks the finding's row (``select_for_update``) and re-reads its status inside
the transaction, so two concurrent triagers produce one consistent history (the second sees the
first's result and is refused or applies on top of it) and a finding is disclosed once.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from config import events
from config.errors import Conflict, Invalid, NotAllowed, NotFound
from models_registry.models import ModelVersion

from . import commitment, evidence
from .campaigns import (  # noqa: F401  (re-exported: services is the one entry point)
    _locked_campaign,
    accept,
    campaign_close,
    campaign_create,
    campaign_open,
    invite,
    is_triager,
    participation_problem,
    threshold_of,
    triage_team_ids,
)
from .events import campaign_subject, finding_subject
from .models import Campaign, Finding, FindingEvent
from .taxonomy import CATEGORIES, SEVERITIES

User = get_user_model()
S = Finding.Status

# from -> allowed targets (the same status with a new severity is a severity change)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.TRIAGED,),
    S.TRIAGED: (S.CONFIRMED, S.DUPLICATE, S.NOT_APPLICABLE),
    S.CONFIRMED: (S.MITIGATED, S.WONT_FIX, S.DISCLOSED),
    S.MITIGATED: (S.DISCLOSED,),
    S.WONT_FIX: (S.DISCLOSED,),
    S.DUPLICATE: (S.DISCLOSED,),
    S.NOT_APPLICABLE: (S.DISCLOSED,),
    S.DISCLOSED: (),
}
UNRESOLVED = (S.NEW, S.TRIAGED, S.CONFIRMED)
REPRO_FIELDS = (
    "prompt",
    "negative_prompt",
    "seed",
    "sampler",
    "steps",
    "guidance_scale",
    "width",
    "height",
    "extra",
)


# --- Findings --------------------------------------------------------------------------------


def clean_reproduction(raw: Any, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors["reproduction"] = [_("An object with prompt, negative_prompt, seed, sampler, ...")]
        return {}
    unknown = sorted(set(raw) - set(REPRO_FIELDS))
    for key in unknown:
        errors[f"reproduction.{key}"] = [_("Unknown field; put other settings under extra.")]
    out: dict[str, Any] = {}
    prompt = raw.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        errors["reproduction.prompt"] = [_("The prompt is required.")]
    out["prompt"] = prompt if isinstance(prompt, str) else ""
    for key in ("negative_prompt", "sampler"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            errors[f"reproduction.{key}"] = [_("A string.")]
        out[key] = value if isinstance(value, str) else ""
    for key, low, high in (
        ("seed", 0, 2**64 - 1),
        ("steps", 1, 10000),
        ("width", 8, 16384),
        ("height", 8, 16384),
    ):
        value = raw.get(key)
        if value is None:
            out[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[f"reproduction.{key}"] = [
                _("An integer from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
        out[key] = value
    scale = raw.get("guidance_scale")
    if scale is not None and (
        isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 <= scale <= 100
    ):
        errors["reproduction.guidance_scale"] = [_("A number from 0 to 100.")]
    out["guidance_scale"] = scale
    extra = raw.get("extra", {})
    if not isinstance(extra, dict):
        errors["reproduction.extra"] = [_("An object of other settings.")]
    out["extra"] = extra if isinstance(extra, dict) else {}
    return out


@transaction.atomic
def finding_file(*, actor, campaign: Campaign, data: dict, files=()) -> Finding:
    campaign = _locked_campaign(campaign.pk)  # numbers are allocated under the campaign's lock
    problem = participation_problem(actor, campaign)
    if problem:
        raise NotAllowed(problem)
    errors: dict[str, list[str]] = {}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors["title"] = [_("A title of 1 to 200 characters.")]
    category = data.get("category")
    if category not in CATEGORIES:
        errors["category"] = [_("One of %(values)s.") % {"values": ", ".join(CATEGORIES)}]
    severity = data.get("severity")
    if severity not in SEVERITIES:
        errors["severity"] = [
            _("One of %(values)s (see the rubric).") % {"values": ", ".join(SEVERITIES)}
        ]
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        errors["description"] = [_("Describe what happens and why it matters.")]
    reproduction = clean_reproduction(data.get("reproduction"), errors)
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    images = evidence.read_all(files)
    number = (campaign.findings.aggregate(n=Max("number"))["n"] or 0) + 1
    reproduction["manifest_sha256"] = campaign.version.manifest_sha256
    content = {
        "campaign": campaign.pk,
        "number": number,
        "title": title.strip(),
        "category": category,
        "severity": severity,
        "description": description,
        "reproduction": reproduction,
        "evidence": [i["sha256"] for i in images],
    }
    salt = commitment.new_salt()
    now = timezone.now()
    finding = Finding.objects.create(
        campaign=campaign,
        number=number,
        reporter=actor,
        title=content["title"],
        category=category,
        proposed_severity=severity,
        severity=severity,
        description=description,
        reproduction=reproduction,
        manifest_sha256=campaign.version.manifest_sha256,
        content=content,
        salt=salt,
        commitment=commitment.commit(content, salt),
        filed_at=now,
    )
    evidence.store(finding, images)
    FindingEvent.objects.create(
        finding=finding,
        seq=1,
        actor=actor,
        action="filed",
        to_status=S.NEW,
        to_severity=severity,
        created_at=now,
    )
    model = campaign.version.model
    events.publish(
        "finding.committed",
        {
            "campaign": campaign.pk,
            "model": model.slug,
            "version": campaign.version.version,
            "number": number,
            "severity": severity,
            "filed_at": now.isoformat(),
            "commitment": finding.commitment,
        },
        group=model.group_id,
        public=model.is_public,
        url=campaign.get_absolute_url(),
        subject=campaign_subject(campaign),
    )
    events.publish(
        "finding.filed",
        {
            "campaign": campaign.pk,
            "finding": finding.pk,
            "number": number,
            "title": finding.title,
            "category": category,
            "severity": severity,
            "reporter": {"id": actor.pk, "username": actor.username},
        },
        actor=actor,
        group=model.group_id,
        url=finding.get_absolute_url(),
        subject=finding_subject(finding),
        objects={"finding": finding},
    )
    return finding


def _accepted_decision(ref: Any, group_id: int):
    """An accepted decision of the model's group, named by id, ``group/number`` or its URL."""
    from governance.models import Decision

    text = str(ref or "").strip().rstrip("/")
    qs = Decision.objects.with_proposal().filter(
        outcome=Decision.Outcome.ACCEPTED, proposal__group_id=group_id
    )
    if text.isdigit():
        return qs.filter(pk=int(text)).first()
    parts = [p for p in text.split("/") if p]
    if "proposals" in parts:  # …/groups/<slug>/proposals/<n>/decision/
        i = parts.index("proposals")
        parts = [parts[i - 1], parts[i + 1]] if 0 < i < len(parts) - 1 else []
    if len(parts) >= 2 and parts[-1].isdigit():
        return qs.filter(proposal__group__slug=parts[-2], proposal__number=int(parts[-1])).first()
    return None


def _history(finding: Finding, **line) -> FindingEvent:
    seq = (finding.history.aggregate(n=Max("seq"))["n"] or 0) + 1
    return FindingEvent.objects.create(finding=finding, seq=seq, **line)


def _locked_finding(pk) -> Finding:
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("campaign__version__model")
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise NotFound(_("No such finding."))
    return finding


def _publish_status(finding: Finding) -> None:
    model = finding.campaign.version.model
    events.publish(
        "finding.status_changed",
        {
            "campaign": finding.campaign_id,
            "number": finding.number,
            "status": finding.status,
            "severity": finding.severity,
        },
        group=model.group_id,
        public=model.is_public,
        url=finding.campaign.get_absolute_url(),
        subject=campaign_subject(finding.campaign),
    )


@transaction.atomic
def transition(
    *,
    actor,
    finding: Finding | int,
    to: str,
    note: str = "",
    severity: str | None = None,
    duplicate_of: int | None = None,
    fixed_in: str | None = None,
    decision: Any = None,
) -> Finding:
    finding = _locked_finding(getattr(finding, "pk", finding))
    campaign = finding.campaign
    if not is_triager(actor, campaign):
        if Finding.objects.visible_to(actor).filter(pk=finding.pk).exists():
            raise NotAllowed(_("Only the campaign's triage team moves findings."))
        raise NotFound(_("No such finding."))
    current = finding.status
    errors: dict[str, list[str]] = {}
    if to not in S.values:
        raise Invalid(
            _("Unknown status %(status)r.") % {"status": to},
            errors={"to": [_("One of %(values)s.") % {"values": ", ".join(S.values)}]},
        )
    if severity is not None and severity not in SEVERITIES:
        errors["severity"] = [_("One of %(values)s.") % {"values": ", ".join(SEVERITIES)}]
    severity_change = severity is not None and severity != finding.severity
    if severity_change and not (note or "").strip():
        errors["note"] = [_("Give the reason for the new severity.")]
    if to == current and not severity_change:
        raise Conflict(
            _("The finding is already %(status)s.") % {"status": current},
            errors={"to": [_("No change.")]},
        )
    if to != current and to not in TRANSITIONS[current]:
        allowed = ", ".join(TRANSITIONS[current]) or _("nothing")
        values = {"current": current, "to": to, "allowed": allowed}
        raise Conflict(
            _("A %(current)s finding cannot become %(to)s (it may become: %(allowed)s).") % values,
            errors={"to": [_("From %(current)s: %(allowed)s.") % values]},
        )
    if current == S.DISCLOSED:
        raise Conflict(
            _("A disclosed finding no longer changes."), errors={"to": [_("Disclosed.")]}
        )
    if current == S.WONT_FIX and severity == "critical" and finding.decision_id is None:
        raise NotAllowed(
            _(
                "A won't-fix finding becomes critical only with an accepted decision; "
                "a critical finding is not left unfixed on a triager's word."
            ),
            errors={"severity": [_("Critical needs a decision for won't fix.")]},
        )
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    old_severity = finding.severity
    new_severity = severity or finding.severity
    now = timezone.now()
    update = ["status", "severity"]
    if to == S.DUPLICATE:
        original = Finding.objects.filter(
            campaign__version__model=campaign.version.model, pk=duplicate_of
        ).first()
        if original is None or original.pk == finding.pk:
            raise Invalid(
                _("Name the finding this one duplicates."),
                errors={"duplicate_of": [_("Unknown finding id.")]},
            )
        finding.duplicate_of = original
        update.append("duplicate_of")
    if to == S.MITIGATED:
        fix = ModelVersion.objects.filter(
            model=campaign.version.model, version=fixed_in or ""
        ).first()
        if fix is None or fix.pk == campaign.version_id:
            raise Invalid(
                _("Name the version of this model that fixes it."),
                errors={
                    "fixed_in": [
                        _("A version label of %(model)s, not the one tested.")
                        % {"model": campaign.version.model.slug}
                    ]
                },
            )
        finding.fixed_in = fix
        update.append("fixed_in")
    if to == S.WONT_FIX:
        if not (note or "").strip():
            raise Invalid(
                _("Say why it will not be fixed."), errors={"note": [_("The reason is required.")]}
            )
        finding.wont_fix_reason = note
        update.append("wont_fix_reason")
        # Critical now, when filed, or at any point of its history: lowering the severity first
        # does not avoid the decision.
        ever_critical = (
            new_severity == "critical"
            or finding.proposed_severity == "critical"
            or finding.history.filter(to_severity="critical").exists()
        )
        if ever_critical:
            accepted = _accepted_decision(decision, campaign.version.model.group_id)
            if accepted is None:
                raise NotAllowed(
                    _(
                        "Won't fix on a critical finding needs an accepted decision of the "
                        "model's group."
                    ),
                    errors={
                        "decision": [_("Name an accepted decision (id, group/number or its URL).")]
                    },
                )
            finding.decision_id = accepted.pk
            update.append("decision_id")
    if to == S.DISCLOSED:
        return disclose(finding.pk, actor=actor, note=note or "Disclosed early by the triage team.")
    if to == S.TRIAGED:
        finding.triaged_at = now
        update.append("triaged_at")
    if to == S.CONFIRMED:
        finding.confirmed_at = now
        finding.disclose_after = now + timedelta(days=campaign.disclosure_days)
        update += ["confirmed_at", "disclose_after"]
    if to in (S.DUPLICATE, S.NOT_APPLICABLE, S.MITIGATED, S.WONT_FIX):
        finding.resolved_at = now
        update.append("resolved_at")
    finding.status, finding.severity = to, new_severity
    finding.save(update_fields=update)
    _history(
        finding,
        actor=actor,
        action="transition" if to != current else "severity",
        from_status=current,
        to_status=to,
        from_severity=old_severity,
        to_severity=new_severity,
        note=note or "",
        created_at=now,
    )
    _publish_transition(finding, actor, current, note)
    if to == S.MITIGATED and finding.fixed_in.status == ModelVersion.Status.RELEASED:
        return disclose(
            finding.pk, note=f"Mitigated in released version {finding.fixed_in.version}."
        )
    return finding


def _publish_transition(finding: Finding, actor, current: str, note: str) -> None:
    model = finding.campaign.version.model
    events.publish(
        "finding.transitioned",
        {
            "campaign": finding.campaign_id,
            "finding": finding.pk,
            "number": finding.number,
            "from": current,
            "to": finding.status,
            "severity": finding.severity,
            "note": note or "",
            "by": {"id": actor.pk, "username": actor.username} if actor else None,
        },
        actor=actor,
        group=model.group_id,
        url=finding.get_absolute_url(),
        subject=finding_subject(finding),
    )
    _publish_status(finding)


@transaction.atomic
def disclose(pk: int, *, actor=None, note: str = "") -> Finding:
    """Publish a finding's content and salt. Once: a second call (a concurrent one included,
    which waits on the row lock and then sees the new status) is refused."""
    finding = _locked_finding(pk)
    if finding.status == S.DISCLOSED:
        raise Conflict(
            _("The finding is already disclosed."), errors={"to": [_("Disclosed once.")]}
        )
    if finding.status in (S.NEW, S.TRIAGED):
        raise Conflict(
            _("Only a finding that was decided on is disclosed."),
            errors={"to": [_("Not yet confirmed or closed.")]},
        )
    now = timezone.now()
    previous = finding.status
    finding.resolution, finding.status, finding.disclosed_at = previous, S.DISCLOSED, now
    finding.save(update_fields=["resolution", "status", "disclosed_at"])
    _history(
        finding,
        actor=actor,
        action="transition",
        from_status=previous,
        to_status=S.DISCLOSED,
        from_severity=finding.severity,
        to_severity=finding.severity,
        note=note,
        created_at=now,
    )
    model = finding.campaign.version.model
    events.publish(
        "finding.disclosed",
        {
            "campaign": finding.campaign_id,
            "finding": finding.pk,
            "number": finding.number,
            "severity": finding.severity,
            "resolution": previous,
            "commitment": finding.commitment,
            "content": finding.content,
            "salt": finding.salt,
        },
        actor=actor,
        group=model.group_id,
        public=model.is_public,
        url=finding.get_absolute_url(),
        subject=finding_subject(finding),
    )
    if actor is not None:
        _publish_transition(finding, actor, previous, note)
    else:
        _publish_status(finding)
    return finding


# --- Scheduled work (the beat task) and the release hook ------------------------------------


def tick(now=None) -> dict[str, int]:
    """Open campaigns that start, close those that end, disclose confirmed findings whose
    disclosure period ended. Each step in its own transaction; safe to run concurrently."""
    now = now or timezone.now()
    done = {"opened": 0, "closed": 0, "disclosed": 0}
    for campaign in Campaign.objects.filter(status=Campaign.Status.SCHEDULED, starts_at__lte=now):
        campaign_open(campaign)
        done["opened"] += 1
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN, ends_at__lte=now):
        campaign_close(campaign)
        done["closed"] += 1
    due = Finding.objects.filter(
        status__in=(S.CONFIRMED, S.MITIGATED, S.WONT_FIX), disclose_after__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        try:
            disclose(pk, note="The disclosure period ended.")
            done["disclosed"] += 1
        except Conflict:
            pass
    return done


def on_model_released(event: events.Event) -> None:
    """In the release's transaction: findings mitigated in the released version are disclosed."""
    version = event.objects.get("version")
    if version is None:
        return
    for pk in Finding.objects.filter(fixed_in=version, status=S.MITIGATED).values_list(
        "pk", flat=True
    ):
        # Disclosed meanwhile (its savepoint rolled back): never block a release for it.
        with contextlib.suppress(Conflict):
            disclose(pk, note=f"Mitigated in released version {version.version}.")
