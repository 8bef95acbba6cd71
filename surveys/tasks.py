"""Periodic survey work (named in the beat schedule in config/celery.py)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="surveys.tasks.close_due_surveys")
def close_due_surveys() -> list[int]:
    """Close every open survey whose close time has passed and freeze its results.

    Idempotent: each close is a conditional update (only one worker changes a row from open to
    closed) and a survey has at most one snapshot, so an overlapping or repeated run is harmless.
    """
    closed = services.close_due_surveys()
    if closed:
        logger.info("closed %d due survey(s): %s", len(closed), closed)
    return closed
