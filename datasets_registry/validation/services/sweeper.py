"""The sweeper: recover runs whose workers vanished or whose messages were lost."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import tasks
from ..models import ValidationChunk, ValidationRun
from .common import lease, redispatch_after
from .runs import run_fail


def sweep(*, now=None) -> dict[str, int]:
    """Recover runs whose workers vanished or whose messages were lost. Idempotent; run by beat.

    - a running chunk whose lease expired (no heartbeat renewed it: its worker died) goes back to
      pending and is dispatched again, or fails the run when it has used all its attempts;
    - a pending chunk whose message was lost is dispatched again: after
      ``VALIDATION_REDISPATCH_SECONDS``; at once when a worker died holding a chunk of its run
      (the dead worker may have prefetched it); after one lease when no worker touches its run;
    - a queued run whose coordinator never ran, or a running one left without chunks by a
      coordinator that stopped beating, restarts;
    - a running run whose chunks are all done but which was not finalised is finalised again.

    Each re-send first moves ``dispatched_at`` by a conditional UPDATE, so two sweepers running at
    once send each message once.
    """
    now = now or timezone.now()
    stale = now - redispatch_after()
    actions = {"redispatched": 0, "failed": 0, "restarted": 0, "finalised": 0}
    running = ValidationRun.Status.RUNNING

    expired = ValidationChunk.objects.filter(
        status=ValidationChunk.Status.RUNNING, lease_expires_at__lt=now, run__status=running
    ).values_list("pk", "run_id", "index", "attempts", "error")
    to_send: list[int] = []
    died: set[int] = set()  # runs of which a worker died holding a chunk
    for pk, run_id, index, attempts, error in expired:
        if attempts >= settings.VALIDATION_MAX_ATTEMPTS:
            if run_fail(
                run_id,
                f"Chunk {index} was attempted {attempts} times without finishing"
                + (f"; last error: {error}" if error else " (its workers were lost)."),
            ):
                actions["failed"] += 1
            continue
        if ValidationChunk.objects.filter(
            pk=pk, status=ValidationChunk.Status.RUNNING, lease_expires_at__lt=now
        ).update(
            status=ValidationChunk.Status.PENDING, lease_expires_at=None, dispatched_at=now, rows=0
        ):
            to_send.append(pk)
            died.add(run_id)
    # A pending chunk's message is presumed lost after VALIDATION_REDISPATCH_SECONDS, and sooner
    # where a worker died: a killed worker also loses the messages it had prefetched. So the
    # waiting chunks of a run are sent again at once when one of its leases lapsed (above), and
    # after one lease when no worker touches the run (no live lease, no change for a lease: the
    # worker died between two chunks). A message still in the broker is then sent twice; the
    # claim runs it once.
    lease_ago = now - lease()
    busy_runs = (
        ValidationChunk.objects.filter(run__status=running)
        .filter(
            Q(status=ValidationChunk.Status.RUNNING, lease_expires_at__gte=now)
            | Q(updated_at__gte=lease_ago)
        )
        .values("run_id")
    )
    lost = ValidationChunk.objects.filter(
        status=ValidationChunk.Status.PENDING, run__status=running
    ).filter(
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=stale)
        | (Q(dispatched_at__lt=lease_ago) & ~Q(run_id__in=busy_runs))
        | (Q(dispatched_at__lt=now) & Q(run_id__in=died))
    )
    for pk, seen in lost.values_list("pk", "dispatched_at"):
        # Compare-and-set on the time we read: two sweepers send each message once.
        unchanged = Q(dispatched_at__isnull=True) if seen is None else Q(dispatched_at=seen)
        if ValidationChunk.objects.filter(
            unchanged, pk=pk, status=ValidationChunk.Status.PENDING
        ).update(dispatched_at=now):
            to_send.append(pk)
    if to_send:
        with transaction.atomic():
            for chunk_id in to_send:
                tasks.validate_chunk_task.delay_on_commit(chunk_id)
        actions["redispatched"] += len(to_send)

    for run_id in ValidationRun.objects.filter(
        status=ValidationRun.Status.QUEUED, dispatched_at__lt=stale
    ).values_list("pk", flat=True):
        if ValidationRun.objects.filter(pk=run_id, status=ValidationRun.Status.QUEUED).update(
            dispatched_at=now
        ):
            with transaction.atomic():
                tasks.start_validation_run.delay_on_commit(run_id)
            actions["restarted"] += 1
    # A coordinator that died after claiming the run but before creating its chunks.
    for run_id in ValidationRun.objects.filter(
        status=running, chunk_count=0, dispatched_at__lt=stale
    ).values_list("pk", flat=True):
        if not ValidationChunk.objects.filter(
            run_id=run_id
        ).exists() and ValidationRun.objects.filter(
            pk=run_id, status=running, chunk_count=0
        ).update(status=ValidationRun.Status.QUEUED, dispatched_at=now):
            with transaction.atomic():
                tasks.start_validation_run.delay_on_commit(run_id)
            actions["restarted"] += 1
    # All chunks done but no report: the finaliser was lost.
    for run_id in ValidationRun.objects.filter(
        status=running, chunk_count__gt=0, dispatched_at__lt=stale
    ).values_list("pk", flat=True):
        if not ValidationChunk.objects.filter(run_id=run_id).exclude(
            status=ValidationChunk.Status.DONE
        ).exists() and ValidationRun.objects.filter(
            pk=run_id, status=running, dispatched_at__lt=stale
        ).update(dispatched_at=now):
            with transaction.atomic():
                tasks.finalize_validation_run.delay_on_commit(run_id)
            actions["finalised"] += 1
    return actions
