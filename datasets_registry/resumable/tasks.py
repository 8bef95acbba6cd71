"""Beat task: abandoned uploads expire and their bytes are deleted."""

from celery import shared_task

from . import services


@shared_task(name="datasets_registry.resumable.tasks.expire_uploads")
def expire_uploads() -> dict[str, int]:
    """Idempotent: run by beat every ten minutes (``config/celery.py``)."""
    return services.uploads_expire()
