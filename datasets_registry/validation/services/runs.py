"""Validation runs: create (after an upload), request again, cancel, fail."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, NotAllowed
from datasets_registry.captions import ENGINE_VERSION, resolve_ruleset

from .. import events, tasks
from ..models import ValidationChunk, ValidationRun

log = logging.getLogger(__name__)


def run_create(*, version, actor=None, standard_version=None) -> ValidationRun:
    """Queue a validation run of ``version`` against ``standard_version`` (default: the dataset's).

    Snapshots the effective rule set and the checked triple, publishes ``validation.started`` and
    sends the coordinator task once the transaction commits. No permission check: callers decide
    (the ``dataset.version_created`` handler, ``run_request``).
    """
    sv = standard_version or version.dataset.standard_version
    rules = resolve_ruleset(sv.rules if sv is not None else None)
    with transaction.atomic():
        run = ValidationRun.objects.create(
            version=version,
            standard_version=sv,
            rules=rules,
            dataset_sha256=version.sha256,
            standard_sha256=sv.sha256 if sv is not None else "",
            engine_version=ENGINE_VERSION,
            rows_total=version.row_count,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            dispatched_at=timezone.now(),
        )
        events.publish(
            "validation.started",
            run,
            {"standard": sv.ref if sv is not None else None, **events.checked(run)},
            actor=actor,
        )
        tasks.start_validation_run.delay_on_commit(run.pk)
    return run


def run_request(*, version, actor) -> ValidationRun:
    """Re-validate ``version`` against its dataset's current standard version (maintainers only).

    Old runs stay. Refused (409) while a run of the version is queued or running. Once this
    returns the run is committed and queued, even if the broker cannot be reached right now.
    """
    if not version.dataset.can_maintain(actor):
        raise NotAllowed(_("Only the dataset's owner, maintainers or staff can re-validate it."))
    with transaction.atomic():
        if ValidationRun.objects.filter(version=version).active().select_for_update().exists():
            raise Conflict(
                _(
                    "A validation run of this version is already queued or running; wait for it "
                    "or cancel it first."
                )
            )
        return run_create(version=version, actor=actor)


def run_cancel(*, run: ValidationRun, actor) -> ValidationRun:
    """Cancel a queued or running run (maintainers only); chunks in flight are discarded."""
    if not run.version.dataset.can_maintain(actor):
        raise NotAllowed(
            _("Only the dataset's owner, maintainers or staff can cancel its validation.")
        )
    with transaction.atomic():
        now = timezone.now()
        n = ValidationRun.objects.filter(pk=run.pk, status__in=ValidationRun.ACTIVE).update(
            status=ValidationRun.Status.CANCELLED,
            finished_at=now,
            error=f"Cancelled by {getattr(actor, 'username', 'a maintainer')}.",
        )
        if n != 1:
            raise Conflict(
                _("This run is %(status)s; only a queued or running run can be cancelled.")
                % {"status": run.get_status_display().lower()}
            )
        ValidationChunk.objects.filter(run=run).exclude(status=ValidationChunk.Status.DONE).update(
            status=ValidationChunk.Status.CANCELLED, lease_expires_at=None, updated_at=now
        )
        events.publish(
            "validation.cancelled", run, {"by": getattr(actor, "username", None)}, actor=actor
        )
    run.refresh_from_db()
    return run


def run_fail(run_id: int, reason: str) -> bool:
    """End an active run as failed with ``reason`` (shown on the page and in the API); publishes
    ``validation.finished`` with status ``failed``. False when the run was no longer active."""
    now = timezone.now()
    with transaction.atomic():
        n = ValidationRun.objects.filter(pk=run_id, status__in=ValidationRun.ACTIVE).update(
            status=ValidationRun.Status.FAILED, error=reason[:5000], finished_at=now
        )
        if n:
            ValidationChunk.objects.filter(
                run_id=run_id,
                status__in=[ValidationChunk.Status.PENDING, ValidationChunk.Status.RUNNING],
            ).update(status=ValidationChunk.Status.CANCELLED, lease_expires_at=None, updated_at=now)
            run = ValidationRun.objects.select_related("version__dataset").get(pk=run_id)
            events.publish(
                "validation.finished",
                run,
                {
                    "status": run.status,
                    "counts": run.by_severity,
                    "issue_count": run.issue_count,
                    "checked": events.checked(run),
                    "report_sha256": None,
                    "error": run.error,
                },
            )
    if n:
        log.warning("validation run %s failed: %s", run_id, reason)
    return bool(n)
