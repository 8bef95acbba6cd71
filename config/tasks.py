from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "health:worker-heartbeat"


@shared_task(name="config.tasks.worker_heartbeat")
def worker_heartbeat(token: str = "") -> str:
    """Record that a worker ran a task just now; /healthz reports the age of the last beat."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    if token:
        cache.set(f"health:echo:{token}", stamp, timeout=600)
    return stamp


@shared_task(name="config.tasks.purge_rate_counters")
def purge_rate_counters() -> int:
    """Delete the rate-limit counters whose window closed (database cache only; idempotent)."""
    from .ratelimit import purge_expired

    return purge_expired()
