"""Celery tasks of the registry: the sweep of stale upload temporaries (beat, and worker start)."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from . import uploads


@shared_task(name="datasets_registry.tasks.sweep_upload_temporaries")
def sweep_upload_temporaries() -> int:
    """Remove upload temporaries a killed web process left behind; how many were removed."""
    return uploads.sweep_stale_temporaries()


@worker_ready.connect
def _sweep_at_worker_start(**kwargs) -> None:
    # A host that runs only workers (and beat elsewhere) still cleans its own temporary folder.
    uploads.sweep_stale_temporaries()
