"""Leases renewed by a heartbeat (issue 10, item 19): a live worker keeps its chunk however long
it runs, a holder whose lease was taken over stops early and writes nothing, and only a lease
that nobody renews is handed to another worker."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from datasets_registry.validation import services
from datasets_registry.validation.heartbeat import ClaimLost, Heartbeat
from datasets_registry.validation.models import ValidationChunk, ValidationRun

from .factories import DEFECTS, jsonl, make_dataset, upload

LEASE = 2
BEAT = 0.25


def test_a_heartbeat_renews_until_the_claim_is_lost():
    calls = []

    def renew():
        calls.append(time.monotonic())
        return len(calls) < 3

    with Heartbeat(renew, every=0.05, name="test claim") as beat:
        assert beat.lost.wait(timeout=5)
        with pytest.raises(ClaimLost, match="test claim"):
            beat.check()
    assert len(calls) == 3  # it stopped at the first refusal


@pytest.fixture
def planned(transactional_db, no_dispatch, settings):
    """A run with one chunk, planned and committed (as a worker finds it)."""
    settings.VALIDATION_LEASE_SECONDS = LEASE
    settings.VALIDATION_HEARTBEAT_SECONDS = BEAT
    version = upload(make_dataset(), jsonl(DEFECTS))
    assert services.run_start(run_id=ValidationRun.objects.get(version=version).pk) == "started"
    return ValidationChunk.objects.get()


def test_a_chunk_that_outlives_its_lease_is_kept_by_its_live_worker(planned, monkeypatch):
    real = services.chunks.validate_chunk
    seen = {}

    def slow(*args, progress=None, **kwargs):
        claimed = ValidationChunk.objects.get(pk=planned.pk)
        first_expiry = claimed.lease_expires_at
        deadline = time.monotonic() + LEASE + 1  # well past the lease it was claimed with
        while time.monotonic() < deadline:
            progress(0)
            time.sleep(0.05)
        assert timezone.now() > first_expiry  # without renewals the lease would have lapsed
        seen["sweep"] = services.sweep()  # what beat would do now
        seen["expires"] = ValidationChunk.objects.get(pk=planned.pk).lease_expires_at
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(services.chunks, "validate_chunk", slow)
    assert services.chunk_process(chunk_id=planned.pk) == "done"
    assert seen["sweep"]["redispatched"] == 0
    assert seen["expires"] > timezone.now() - timedelta(seconds=BEAT * 4)
    chunk = ValidationChunk.objects.get(pk=planned.pk)
    assert chunk.attempts == 1 and chunk.status == "done"


def test_a_holder_whose_lease_was_taken_over_stops_and_writes_nothing(planned, monkeypatch):
    def endless(*args, progress=None, **kwargs):
        for _ in range(400):  # 20 s if nothing stopped it
            progress(0)
            time.sleep(0.05)
        raise AssertionError("the heartbeat should have stopped this chunk")

    def take_over():
        time.sleep(0.5)
        ValidationChunk.objects.filter(pk=planned.pk).update(
            lease_token="another-worker", lease_expires_at=timezone.now() + timedelta(minutes=5)
        )

    monkeypatch.setattr(services.chunks, "validate_chunk", endless)
    thief = threading.Thread(target=take_over)
    thief.start()
    started = time.monotonic()
    assert services.chunk_process(chunk_id=planned.pk) == "stale"
    assert time.monotonic() - started < 5
    thief.join()
    chunk = ValidationChunk.objects.get(pk=planned.pk)
    assert chunk.lease_token == "another-worker" and chunk.result is None
    folder = f"validation/runs/{chunk.run_id}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []


def test_a_lease_nobody_renews_is_handed_on(planned):
    # A worker claimed the chunk and was killed: no heartbeat renews its lease.
    ValidationChunk.objects.filter(pk=planned.pk).update(
        status="running",
        lease_token="dead-worker",
        lease_expires_at=timezone.now() + timedelta(seconds=LEASE),
        attempts=1,
    )
    assert services.sweep()["redispatched"] == 0
    time.sleep(LEASE + 0.2)
    assert services.sweep()["redispatched"] == 1
    assert services.chunk_process(chunk_id=planned.pk) == "done"
    assert ValidationChunk.objects.get(pk=planned.pk).attempts == 2


@pytest.fixture
def waiting(no_dispatch, django_capture_on_commit_callbacks, settings):
    """A run of several chunks, planned two leases ago, none of them claimed yet."""
    settings.VALIDATION_CHUNK_BYTES = 200
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(make_dataset(), jsonl(DEFECTS))
        services.run_start(run_id=version.validation_runs.get().pk)
    chunks = list(ValidationChunk.objects.order_by("index"))
    assert len(chunks) > 2
    two_leases_ago = timezone.now() - timedelta(seconds=2 * settings.VALIDATION_LEASE_SECONDS)
    assert 2 * settings.VALIDATION_LEASE_SECONDS < settings.VALIDATION_REDISPATCH_SECONDS
    ValidationChunk.objects.update(dispatched_at=two_leases_ago, updated_at=two_leases_ago)
    no_dispatch.clear()
    return chunks


def sent(no_dispatch) -> list[int]:
    return sorted(args[0] for _, args in no_dispatch)


@pytest.mark.django_db
def test_a_dead_workers_prefetched_messages_are_sent_again_with_its_chunk(
    waiting, no_dispatch, django_capture_on_commit_callbacks
):
    # A killed worker loses the chunk it ran and the messages it had prefetched: when its lease
    # lapses, the run's waiting chunks are sent again too, not after VALIDATION_REDISPATCH_SECONDS.
    first = waiting[0]
    ValidationChunk.objects.filter(pk=first.pk).update(
        status="running",
        lease_token="alive",
        attempts=1,
        lease_expires_at=timezone.now() + timedelta(seconds=30),  # its heartbeat renews it
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == 0  # a live worker: the others just wait
    ValidationChunk.objects.filter(pk=first.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)  # it died
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == len(waiting)
    assert sent(no_dispatch) == sorted(c.pk for c in waiting)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == 0  # each message once


@pytest.mark.django_db
def test_the_waiting_chunks_of_a_run_nobody_touches_are_sent_again_after_a_lease(
    waiting, no_dispatch, django_capture_on_commit_callbacks
):
    # The worker died between two chunks: no lease lapses, the run just stops moving.
    done = waiting[0]
    ValidationChunk.objects.filter(pk=done.pk).update(status="done", updated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == 0  # a chunk finished within the lease
    ValidationChunk.objects.filter(pk=done.pk).update(
        updated_at=timezone.now() - timedelta(seconds=90)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["redispatched"] == len(waiting) - 1
    assert sent(no_dispatch) == sorted(c.pk for c in waiting[1:])
