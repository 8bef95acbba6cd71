from celery import shared_task


@shared_task
def redteam_tick() -> dict:
    """Every minute (beat): open and close campaigns on time, disclose findings whose
    disclosure period ended."""
    from . import services

    return services.tick()
