"""Handing work to Celery from views and the API, after the request's transaction commits."""

from __future__ import annotations

from . import tasks


def send_delivery(delivery_id: int) -> None:
    tasks.deliver_webhook.delay_on_commit(delivery_id)
