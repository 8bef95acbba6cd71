"""Celery tasks of the validation pipeline: thin, idempotent, taking ids (see services.py).

Acks-late and reject-on-worker-lost are global settings (config/celery.py). Chunk tasks have time
limits well below the lease and the broker's visibility timeout, so a chunk is short.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="datasets_registry.validation.tasks.start_validation_run")
def start_validation_run(run_id: int) -> str:
    return services.run_start(run_id=run_id)


@shared_task(
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
    name="datasets_registry.validation.tasks.finalize_validation_run",
    soft_time_limit=600,
    time_limit=660,
)
def finalize_validation_run(run_id: int) -> str:
    return services.run_finalize(run_id=run_id)


@shared_task(name="datasets_registry.validation.tasks.sweep_validation_runs")
def sweep_validation_runs() -> dict:
    return services.sweep()
