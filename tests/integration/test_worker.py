import uuid

import pytest
from django.core.cache import cache

from config.tasks import worker_heartbeat

pytestmark = pytest.mark.integration


def test_a_real_worker_process_executes_a_task(celery_worker):
    import time

    token = uuid.uuid4().hex
    worker_heartbeat.delay(token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not cache.get(f"health:echo:{token}"):
        time.sleep(0.1)
    assert cache.get(f"health:echo:{token}")
    assert celery_worker.procs[0].poll() is None
