"""With a real Celery worker process: opening a vote notifies the roll and reaches a webhook on
this machine, off the request; the webhook's latency is measured."""

import statistics
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services as g
from notifications import services
from notifications.models import Delivery, DeliveryAttempt, Notification
from tests.governance.factories import in_discussion


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.integration
def test_the_worker_fans_out_a_vote_and_delivers_the_webhook(
    gov, receiver, settings, celery_worker_factory, capsys
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    worker = celery_worker_factory(WEBHOOK_ALLOW_PRIVATE="1")
    worker.start()
    worker.wait_ready()
    services.webhook_create(
        actor=gov.chair, group=gov.group, url=receiver.url, events_=["vote.opened"]
    )
    latencies = []
    for n in range(5):
        p = in_discussion(gov.group, gov.contributor, title=f"Vote {n}")
        opened = time.perf_counter()
        g.proposal_open_voting(
            proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(days=2)
        )
        assert wait_for(lambda k=n: len(receiver.requests) > k), "no delivery"
        latencies.append((time.perf_counter() - opened) * 1000)
    assert wait_for(lambda: Notification.objects.filter(kind="vote.opened").count() == 15)
    # The receiver answered before the worker recorded the attempt: wait for the record too.
    assert wait_for(lambda: Delivery.objects.filter(status="succeeded").count() == 5)
    assert all(a.status_code == 200 for a in DeliveryAttempt.objects.all())
    with capsys.disabled():
        print(
            f"\nwebhook latency, vote opened -> local receiver, through a real worker: "
            f"median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms; "
            f"POST alone: median "
            f"{statistics.median(DeliveryAttempt.objects.values_list('duration_ms', flat=True)):.0f} ms"
        )
