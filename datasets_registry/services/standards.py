"""Standards: drafts, immutability once proposed, adoption through a governance decision."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import events
from config.canonical import sha256_of
from config.errors import Conflict, Invalid, NotAllowed
from governance import roles
from governance import services as governance_services
from governance.models import Proposal

from ..events import proposal_ref, standard_subject, version_payload
from ..models import (
    SEMVER_RE,
    MetadataStandard,
    StandardVersion,
)
from .common import (
    _UNSET,
    JSON_SCHEMA_2020_12,
    SLUG_RE,
    _first_message,
    _require_standard_editor,
    ruleset_errors,
    schema_errors,
)

# --- standards ---------------------------------------------------------------------------------


def _check_version_content(
    *, version: str, schema: Any, rules: Any, changelog: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not SEMVER_RE.match(version or ""):
        errors["version"] = [
            _("%(version)s is not a semantic version such as 1.2.0.") % {"version": repr(version)}
        ]
    for pointer, messages in schema_errors(schema).items():
        errors.setdefault("schema" + (pointer if pointer != "/" else ""), []).extend(messages)
    for pointer, messages in ruleset_errors(rules if rules is not None else {}).items():
        errors.setdefault("rules" + (pointer if pointer != "/" else ""), []).extend(messages)
    return errors


def standard_create(
    *, actor, group, slug: str, name: str, description: str = ""
) -> MetadataStandard:
    """A new standard owned by ``group``; chairs of that group and staff may create one."""
    if not getattr(actor, "is_staff", False) and not roles.is_chair(actor, group):
        raise NotAllowed(
            _("Only chairs of %(group)s and staff may create its standards.")
            % {"group": group.name}
        )
    if not SLUG_RE.match(slug or ""):
        raise Invalid(
            _("The slug is invalid."), errors={"slug": [_("Use lowercase letters, digits and -.")]}
        )
    with transaction.atomic():
        if MetadataStandard.objects.filter(slug=slug).exists():
            raise Conflict(_("A standard with this slug exists."), errors={"slug": [_("Taken.")]})
        standard = MetadataStandard.objects.create(
            slug=slug, name=name, group=group, description=description
        )
        events.publish(
            "standard.created",
            {"standard": standard.slug, "name": standard.name, "group": group.slug},
            actor=actor,
            group=group,
            url=standard.get_absolute_url(),
            subject=standard_subject(standard),
        )
        return standard


def standard_version_create(
    *,
    standard: MetadataStandard,
    actor,
    version: str,
    schema: Any = None,
    rules: Any = None,
    changelog: str = "",
    based_on: StandardVersion | None = None,
) -> StandardVersion:
    """A new draft, empty or copied from ``based_on`` (fields given explicitly win)."""
    _require_standard_editor(actor, standard)
    if based_on is not None:
        schema = based_on.schema if schema is None else schema
        rules = based_on.rules if rules is None else rules
    schema = {"$schema": JSON_SCHEMA_2020_12, "type": "object"} if schema is None else schema
    rules = {} if rules is None else rules
    errors = _check_version_content(
        version=version, schema=schema, rules=rules, changelog=changelog
    )
    if errors:
        raise Invalid(_first_message(errors), errors=errors)
    with transaction.atomic():
        if standard.versions.filter(version=version).exists():
            raise Conflict(
                _("%(ref)s exists.") % {"ref": f"{standard.slug}@{version}"},
                errors={"version": [_("This version exists.")]},
            )
        created = StandardVersion.objects.create(
            standard=standard,
            version=version,
            schema=schema,
            rules=rules,
            changelog=changelog,
            created_by=actor,
        )
        events.publish(
            "standard.version_created",
            version_payload(
                created,
                status=created.status,
                sha256=created.sha256,
                based_on=based_on.version if based_on is not None else None,
            ),
            actor=actor,
            group=standard.group_id,
            url=created.get_absolute_url(),
            subject=standard_subject(standard),
        )
        return created


def standard_version_update(
    *,
    version: StandardVersion,
    actor,
    new_version: str | None = None,
    schema: Any = _UNSET,
    rules: Any = _UNSET,
    changelog: str | None = None,
) -> StandardVersion:
    """Edit a draft. Once proposed, a version's content is immutable (409)."""
    _require_standard_editor(actor, version.standard)
    with transaction.atomic():
        locked = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != StandardVersion.Status.DRAFT:
            raise Conflict(
                _(
                    "%(version)s is %(status)s: its content is immutable. "
                    "Create a new version to change it."
                )
                % {"version": locked, "status": locked.get_status_display().lower()}
            )
        if _open_proposals_targeting(locked).exists():
            raise Conflict(
                _(
                    "%(version)s is the target of an open proposal: its content cannot change "
                    "while the group decides on it."
                )
                % {"version": locked}
            )
        label = locked.version if new_version is None else new_version
        candidate = {
            "version": label,
            "schema": locked.schema if schema is _UNSET else schema,
            "rules": locked.rules if rules is _UNSET else rules,
            "changelog": locked.changelog if changelog is None else changelog,
        }
        errors = _check_version_content(**candidate)
        if errors:
            raise Invalid(_first_message(errors), errors=errors)
        if (
            label != locked.version
            and locked.standard.versions.filter(version=label).exclude(pk=locked.pk).exists()
        ):
            raise Conflict(
                _("%(ref)s exists.") % {"ref": f"{locked.standard.slug}@{label}"},
                errors={"version": [_("Taken.")]},
            )
        changed = sorted(k for k, value in candidate.items() if getattr(locked, k) != value)
        previous = locked.version
        for key, value in candidate.items():
            setattr(locked, key, value)
        locked.updated_at = timezone.now()
        locked.save()
        events.publish(
            "standard.version_updated",
            version_payload(
                locked, previous_version=previous, sha256=locked.sha256, changed=changed
            ),
            actor=actor,
            group=locked.standard.group_id,
            url=locked.get_absolute_url(),
            subject=standard_subject(locked.standard),
        )
        return locked


def _open_proposals_targeting(version: StandardVersion):
    return Proposal.objects.filter(
        target_type="standard_version",
        target_id=version.pk,
        status__in=[Proposal.Status.DRAFT, Proposal.Status.DISCUSSION, Proposal.Status.VOTING],
    )


def standard_version_propose(
    *,
    version: StandardVersion,
    actor,
    title: str = "",
    summary: str = "",
    body: str = "",
    base_url: str = "",
):
    """Freeze a draft and open a ``standard_adoption`` proposal targeting it by id and sha256.

    Returns the proposal. The version becomes ``proposed`` in the same transaction, so a proposal
    never targets content that can still change. The body links to the version page on
    ``base_url`` (the site as the request reached it), else on ``SITE_URL``.
    """
    standard = version.standard
    _require_standard_editor(actor, standard)
    with transaction.atomic():
        locked = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != StandardVersion.Status.DRAFT:
            raise Conflict(
                _("%(version)s is %(status)s; only a draft can be proposed.")
                % {"version": locked, "status": locked.status}
            )
        locked.sha256 = locked.compute_sha256()
        # Frozen first, so that governance's target check sees a proposed version.
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.PROPOSED, sha256=locked.sha256
        )
        proposal = governance_services.proposal_create(
            group=standard.group,
            author=actor,
            kind="standard_adoption",
            title=title or f"Adopt {standard.name} {locked.version}",
            summary=summary
            or f"Adopt version {locked.version} of {standard.name} (sha256 {locked.sha256[:12]}…).",
            body=body or _proposal_body(locked, base_url=base_url),
            target={"type": "standard_version", "id": locked.pk, "sha256": locked.sha256},
        )
        now = timezone.now()
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.PROPOSED,
            proposal_id=proposal.pk,
            proposed_at=now,
            updated_at=now,
        )
        events.publish(
            "standard.version_frozen",
            version_payload(
                locked,
                sha256=locked.sha256,
                schema_sha256=sha256_of(locked.schema),
                rules_sha256=sha256_of(locked.rules),
                proposal=proposal_ref(proposal),
            ),
            actor=actor,
            group=standard.group_id,
            url=locked.get_absolute_url(),
            subject=standard_subject(standard),
        )
        version.refresh_from_db()
        return proposal


def _proposal_body(version: StandardVersion, *, base_url: str = "") -> str:
    url = (base_url or settings.SITE_URL).rstrip("/") + version.get_absolute_url()
    label = f"{version.standard.name} {version.version}"
    return (
        f"This proposal adopts **{label}**.\n\n"
        f"- Version page and diff: [{label}]({url})\n"
        f"- Content sha256: `{version.sha256}` (canonical JSON of standard, version, schema, "
        "rules and changelog)\n\n"
        f"### Changelog\n\n{version.changelog or '(none)'}\n"
    )


def standard_version_reopen(*, version: StandardVersion, actor) -> StandardVersion:
    """Back to draft when its adoption proposal was withdrawn or rejected (never after adoption)."""
    _require_standard_editor(actor, version.standard)
    with transaction.atomic():
        locked = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != StandardVersion.Status.PROPOSED:
            raise Conflict(
                _("%(version)s is %(status)s; only a proposed version can be reopened.")
                % {"version": locked, "status": locked.status}
            )
        proposal = locked.proposal
        if proposal is not None and proposal.status not in ("withdrawn", "rejected"):
            raise Conflict(
                _(
                    "Its adoption proposal is still open: withdraw it first, or wait for the "
                    "decision."
                )
            )
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.DRAFT, proposal_id=None, updated_at=timezone.now()
        )
        locked.refresh_from_db()
        _publish_reopened(locked, reason=proposal.status if proposal else "withdrawn", actor=actor)
        return locked


def _publish_reopened(version: StandardVersion, *, reason: str, actor=None) -> None:
    events.publish(
        "standard.version_reopened",
        version_payload(version, reason=reason),
        actor=actor,
        group=version.standard.group_id,
        url=version.get_absolute_url(),
        subject=standard_subject(version.standard),
    )


def standard_version_adopt(*, version: StandardVersion, decision) -> StandardVersion:
    """Adopt ``version`` because ``decision`` accepted its proposal; deprecate the previous one.

    Refused without an accepted decision on a proposal that targets this exact content. Runs in
    the decision's transaction when called by the governance hook.
    """
    if decision is None or getattr(decision, "outcome", None) != "accepted":
        raise NotAllowed(
            _("A standard version is adopted only by an accepted governance decision.")
        )
    proposal = decision.proposal
    if proposal.kind != "standard_adoption" or proposal.target_type != "standard_version":
        raise NotAllowed(_("This decision does not adopt a standard version."))
    with transaction.atomic():
        locked = (
            StandardVersion.objects.select_for_update()
            .select_related("standard")
            .filter(pk=version.pk)
            .first()
        )
        if locked is None or proposal.target_id != locked.pk:
            raise NotAllowed(_("This decision targets another standard version."))
        if locked.status == StandardVersion.Status.ADOPTED and locked.decision_id == decision.pk:
            return locked  # already applied: the hook may run again after a retry
        # A draft may be the target when its proposal was opened from the governance API rather
        # than from the standard's page; its content is still checked against the hash below.
        if locked.status not in (StandardVersion.Status.PROPOSED, StandardVersion.Status.DRAFT):
            raise Conflict(
                _("%(version)s is %(status)s; it cannot be adopted.")
                % {"version": locked, "status": locked.status}
            )
        actual = locked.compute_sha256()
        if proposal.target_sha256 != actual or locked.sha256 != actual:
            raise Conflict(
                _(
                    "%(version)s's content (sha256 %(actual)s) is not what the proposal "
                    "targeted (%(targeted)s); refusing to adopt."
                )
                % {"version": locked, "actual": actual, "targeted": proposal.target_sha256}
            )
        now = timezone.now()
        previous = list(
            StandardVersion.objects.filter(
                standard=locked.standard, status=StandardVersion.Status.ADOPTED
            ).select_related("standard")
        )
        StandardVersion.objects.filter(pk__in=[v.pk for v in previous]).update(
            status=StandardVersion.Status.DEPRECATED, deprecated_at=now, updated_at=now
        )
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.ADOPTED,
            decision_id=decision.pk,
            proposal_id=proposal.pk,
            adopted_at=now,
            updated_at=now,
        )
        locked.refresh_from_db()
        standard = locked.standard
        for old in previous:
            events.publish(
                "standard.deprecated",
                version_payload(old, replaced_by=locked.version),
                group=standard.group_id,
                url=old.get_absolute_url(),
                subject=standard_subject(standard),
            )
        events.publish(
            "standard.adopted",
            version_payload(
                locked,
                sha256=locked.sha256,
                decision=decision.pk,
                proposal=proposal_ref(proposal),
                replaces=previous[0].version if previous else None,
            ),
            group=standard.group_id,
            url=locked.get_absolute_url(),
            subject=standard_subject(standard),
        )
        version.refresh_from_db()
        return locked


def on_standard_adoption(proposal, decision) -> None:
    """Governance hook for ``standard_adoption`` decisions (runs in the decision transaction)."""
    if proposal.target_type != "standard_version" or not proposal.target_id:
        return
    version = StandardVersion.objects.filter(pk=proposal.target_id).first()
    if version is None:
        raise Conflict(
            _("The standard version #%(id)s targeted no longer exists.")
            % {"id": proposal.target_id}
        )
    if decision.outcome == "accepted":
        standard_version_adopt(version=version, decision=decision)
        return
    # Rejected: the content goes back to draft so the group can revise it and propose again.
    reopened = StandardVersion.objects.filter(
        pk=version.pk, status=StandardVersion.Status.PROPOSED, proposal_id=proposal.pk
    ).update(status=StandardVersion.Status.DRAFT, proposal_id=None, updated_at=timezone.now())
    if reopened:
        _publish_reopened(version, reason="rejected")


def check_standard_version_target(target_id: int, sha256: str) -> None:
    """Governance target check: a standard adoption proposal targets a version being proposed
    through the registry (frozen, not yet attached to a proposal), by its exact content hash."""
    version = StandardVersion.objects.filter(pk=target_id).first()
    if version is None:
        raise Invalid(
            _("No such standard version."),
            errors={"target.id": [_("Unknown standard version.")]},
        )
    if version.sha256 != sha256:
        raise Invalid(
            _("The sha256 is not the version's."),
            errors={
                "target.sha256": [
                    _("%(version)s has sha256 %(sha256)s.")
                    % {"version": version.ref, "sha256": version.sha256}
                ]
            },
        )
    if version.status != StandardVersion.Status.PROPOSED or version.proposal_id is not None:
        raise Invalid(
            _("%(version)s is %(status)s; propose it from its page on the website.")
            % {"version": version.ref, "status": version.status},
            errors={"target.id": [_("Propose a draft from the standard version's page.")]},
        )
