from celery import shared_task

from . import services


@shared_task(name="governance.tasks.close_due_proposals")
def close_due_proposals() -> int:
    """Beat task (every 30 s): close every vote whose closing time has passed.

    Idempotent and safe to run concurrently: each close locks its proposal and records at most
    one decision. Returns how many decisions it saw recorded or already present.
    """
    return len(services.close_due_proposals())
