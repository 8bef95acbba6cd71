"""Real worker processes: a run survives kill -9 of every worker, on Redis and on the embedded
filesystem broker, and ends with exactly the counts of an undisturbed run."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from datasets_registry.captions import validate_file
from datasets_registry.validation.models import ValidationChunk, ValidationRun

from ..captions.helpers import COCO
from .factories import make_dataset, upload

pytestmark = [pytest.mark.integration, pytest.mark.timeout(170)]

CHUNK_BYTES = "1048576"  # 1 MiB chunks: dozens of short tasks
LEASE = "4"  # seconds; the sweeper (beat, every 30 s) re-dispatches after this


@contextlib.contextmanager
def broker(url: str):
    """Point this process's Celery app at ``url`` (tasks sent on commit go there)."""
    from config.celery import app

    keys = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    old = {k: app.conf[k] for k in keys}
    options = dict(old["broker_transport_options"] or {})
    if url.startswith("filesystem://"):
        folder = Path(settings.DATA_DIR) / "broker"
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for stale in (folder / "queue").iterdir():  # messages of earlier tests
            stale.unlink(missing_ok=True)
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    app.conf.broker_transport_options = options
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.update(old)
        app._pool = None
        app.amqp._producer_pool = None


def broker_urls():
    urls = ["filesystem://"]
    configured = os.environ.get("CELERY_BROKER_URL", "")
    urls.append(configured if configured.startswith("redis") else "redis://unavailable")
    return urls


def wait_for(predicate, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.mark.parametrize("broker_url", broker_urls(), ids=["filesystem", "redis"])
def test_a_run_survives_kill_9_of_every_worker(
    broker_url, celery_worker_factory, tmp_path, settings
):
    if not COCO.exists():
        pytest.skip("needs shared/data")
    if broker_url == "redis://unavailable":
        pytest.skip("CELERY_BROKER_URL is not a Redis URL (CI sets one)")
    data = COCO.read_bytes() * 6  # ~34 MB, 150k rows, ~33 chunks
    path = tmp_path / "coco6.jsonl"
    path.write_bytes(data)
    expected = validate_file(str(path)).counts

    env = {
        "CELERY_BROKER_URL": broker_url,
        "VALIDATION_CHUNK_BYTES": CHUNK_BYTES,
        "VALIDATION_LEASE_SECONDS": LEASE,
    }
    with broker(broker_url):
        first = celery_worker_factory(**env).start()
        first.wait_ready()
        dataset = make_dataset()
        version = upload(dataset, data, name="coco6.jsonl")  # committed: the run is queued
        run = ValidationRun.objects.get(version=version)

        def midway():
            run.refresh_from_db()
            done = ValidationChunk.objects.filter(run=run, status="done").count()
            busy = ValidationChunk.objects.filter(run=run, status="running").exists()
            return run.status == "running" and busy and 2 <= done < run.chunk_count - 4

        assert wait_for(midway, timeout=60), f"the run never got midway: {run.status} {run.error}"
        first.kill()  # SIGKILL to every process of the worker, mid-run
        killed_at = timezone.now()
        at_kill = list(
            ValidationChunk.objects.filter(run=run).values_list("index", "status", "attempts")
        )
        run.refresh_from_db()
        assert run.status == "running"
        assert ValidationChunk.objects.filter(run=run).exclude(status="done").exists()

        second = celery_worker_factory(**env).start(beat=True)  # beat runs the sweeper

        def finished():
            run.refresh_from_db()
            return run.status in ValidationRun.DONE

        assert wait_for(finished, timeout=110, step=0.5), "the run did not recover"
    assert run.status == "succeeded", run.error
    assert run.counts == expected
    assert run.rows_done == run.rows_total == 6 * 25014
    assert ValidationChunk.objects.filter(run=run, status="done").count() == run.chunk_count
    # The sweeper re-dispatched what the dead worker held (a claimed chunk or a prefetched message).
    assert ValidationChunk.objects.filter(
        Q(attempts__gt=1) | Q(dispatched_at__gt=killed_at), run=run
    ).exists(), at_kill
    second.stop()


@pytest.mark.timeout(300)
def test_a_killed_workers_chunk_is_taken_over_within_about_a_minute(
    celery_worker_factory, tmp_path
):
    """With the default lease (60 s) and heartbeat (15 s), not the short lease above: the chunks
    a killed worker held are claimed again about one lease after its last heartbeat, where they
    used to wait out a 420 s lease."""
    if not COCO.exists():
        pytest.skip("needs shared/data")
    assert settings.VALIDATION_LEASE_SECONDS == 60, "run with the default lease"
    data = COCO.read_bytes() * 6
    env = {"VALIDATION_CHUNK_BYTES": CHUNK_BYTES}  # the default lease and heartbeat
    first = celery_worker_factory(**env).start()
    first.wait_ready()
    version = upload(make_dataset(), data, name="coco6.jsonl")
    run = ValidationRun.objects.get(version=version)

    def held():
        run.refresh_from_db()
        done = ValidationChunk.objects.filter(run=run, status="done").count()
        running = dict(
            ValidationChunk.objects.filter(run=run, status="running").values_list(
                "pk", "lease_token"
            )
        )
        return running if run.status == "running" and running and done >= 2 else None

    holding = wait_for(held, timeout=60)
    assert holding, f"the run never got midway: {run.status} {run.error}"
    first.kill()
    killed = time.monotonic()
    holding = dict(
        ValidationChunk.objects.filter(pk__in=holding, status="running").values_list(
            "pk", "lease_token"
        )
    )
    assert holding, "every chunk finished before the kill"
    second = celery_worker_factory(**env).start(beat=True)

    def taken_over():
        now = dict(ValidationChunk.objects.filter(pk__in=holding).values_list("pk", "lease_token"))
        return all(now[pk] != token for pk, token in holding.items())

    assert wait_for(taken_over, timeout=150, step=0.5), (
        "the dead worker's chunks were not taken over"
    )
    takeover = time.monotonic() - killed

    def finished():
        run.refresh_from_db()
        return run.status in ValidationRun.DONE

    assert wait_for(finished, timeout=60, step=0.5), (
        "the run did not finish",
        time.monotonic() - killed,
        list(
            ValidationChunk.objects.filter(run=run)
            .exclude(status="done")
            .values_list("index", "status", "attempts", "dispatched_at", "lease_expires_at")
        ),
        timezone.now(),
    )
    total = time.monotonic() - killed
    print(f"\nkill -9 -> chunks taken over: {takeover:.1f} s; -> run finished: {total:.1f} s")
    assert run.status == "succeeded", run.error
    assert run.rows_done == run.rows_total == 6 * 25014
    # About a lease after the kill (plus at most one sweep interval), far from the old 420 s.
    assert takeover < 100, takeover
    second.stop()
