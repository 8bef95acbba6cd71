"""Celery tasks of the validation pipeline: thin, idempotent, taking ids (see services/).

Acks-late and reject-on-worker-lost are global settings (config/celery.py). A running chunk
renews its lease from a heartbeat, so its time limits need not stay below the lease.
"""

from __future__ import annotations

import functools
import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError

from . import services

log = logging.getLogger(__name__)


class DispatchAfterCommit(DjangoTask):
    """Celery's ``delay_on_commit`` (the message leaves once the rows it names are committed),
    except that a broker that cannot be reached then is logged rather than raised.

    The work is committed by then and the sweeper re-sends whatever was not sent: reporting a
    failure to the caller would tell them that committed work did not happen (issue 10, item 5).
    Errors of the task itself (eager mode) still propagate.
    """

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self._send_committed, *args, **kwargs))

    def _send_committed(self, *args, **kwargs) -> None:
        try:
            self.delay(*args, **kwargs)
        except (OperationalError, OSError):
            log.warning(
                "Could not send %s%r to the broker; the rows are committed and the validation "
                "sweeper will send it again once the broker answers.",
                self.name,
                args,
                exc_info=True,
            )


@shared_task(
    base=DispatchAfterCommit, name="datasets_registry.validation.tasks.start_validation_run"
)
def start_validation_run(run_id: int) -> str:
    return services.run_start(run_id=run_id)


@shared_task(
    base=DispatchAfterCommit,
    bind=True,
    name="datasets_registry.validation.tasks.validate_chunk_task",
    max_retries=None,  # the attempt counter on the chunk row is the cap
    soft_time_limit=240,
    time_limit=300,
)
def validate_chunk_task(self, chunk_id: int) -> str:
    try:
        return services.chunk_process(chunk_id=chunk_id)
    except services.ChunkRetry as exc:
        raise self.retry(countdown=min(60, 2 ** (self.request.retries + 1)), exc=exc) from exc


@shared_task(
    base=DispatchAfterCommit,
    name="datasets_registry.validation.tasks.finalize_validation_run",
    soft_time_limit=600,
    time_limit=660,
)
def finalize_validation_run(run_id: int) -> str:
    return services.run_finalize(run_id=run_id)


@shared_task(name="datasets_registry.validation.tasks.sweep_validation_runs")
def sweep_validation_runs() -> dict:
    return services.sweep()
