"""Caption validation announces its runs on the event bus, and hears the registry's uploads."""

import gzip
import hashlib

import pytest
from django.core.files.storage import default_storage

from config import events
from datasets_registry.captions import ENGINE_VERSION
from datasets_registry.validation import services
from datasets_registry.validation.models import ValidationRun

from .factories import DEFECTS, jsonl, make_dataset, upload

pytestmark = pytest.mark.django_db


def only(captured, name):
    found = [e for e in captured if e.name == name]
    assert len(found) == 1, [e.name for e in captured]
    assert set(found[0].payload) == set(events.event_type(name).fields)
    return found[0]


def test_an_upload_queues_its_run_in_the_same_transaction(no_dispatch):
    dataset = make_dataset()
    with events.capture() as captured:
        version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    started = only(captured, "validation.started")
    assert started.payload == {
        "dataset": dataset.slug,
        "name": dataset.name,
        "version": "1.0.0",
        "run": run.pk,
        "standard": "omi-dataset-card@1.0.0",
        "dataset_sha256": version.sha256,
        "standard_sha256": dataset.standard_version.sha256,
        "engine_version": ENGINE_VERSION,
    }
    assert started.public and started.url == version.get_absolute_url()
    # The upload's event came first, and the run was created by its in-transaction handler.
    assert [e.name for e in captured] == ["dataset.version_created", "validation.started"]


def test_a_finished_run_carries_its_counts_and_the_reports_sha256(
    eager, django_capture_on_commit_callbacks
):
    dataset = make_dataset(visibility="private")
    with events.capture() as captured, django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    finished = only(captured, "validation.finished")
    with default_storage.open(run.report.name, "rb") as fp:
        stored = fp.read()
    assert gzip.decompress(stored)  # the report itself
    assert finished.payload["status"] == "succeeded"
    assert finished.payload["counts"] == {"error": 2, "warning": 3}
    assert finished.payload["issue_count"] == 5
    assert finished.payload["checked"] == {
        "dataset_sha256": version.sha256,
        "standard_sha256": run.standard_sha256,
        "engine_version": ENGINE_VERSION,
    }
    assert finished.payload["report_sha256"] == hashlib.sha256(stored).hexdigest()
    assert finished.public is False  # a private dataset's run


def test_a_failed_run_says_why(eager, django_capture_on_commit_callbacks, settings):
    settings.VALIDATION_MAX_DECOMPRESSED_BYTES = 10_000
    dataset = make_dataset()
    with events.capture() as captured, django_capture_on_commit_callbacks(execute=True):
        upload(dataset, gzip.compress(jsonl(DEFECTS) * 1000), name="c.jsonl.gz")
    finished = only(captured, "validation.finished")
    assert finished.payload["status"] == "failed"
    assert "decompressed-size limit" in finished.payload["error"]
    assert finished.payload["report_sha256"] is None


def test_cancelling_is_announced(no_dispatch):
    dataset = make_dataset()
    version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    with events.capture() as captured:
        services.run_cancel(run=run, actor=dataset.owner)
    cancelled = only(captured, "validation.cancelled")
    assert cancelled.payload["by"] == dataset.owner.username
    assert cancelled.actor_id == dataset.owner.pk


def test_requesting_a_run_again_is_announced(no_dispatch):
    dataset = make_dataset()
    version = upload(dataset, jsonl(DEFECTS))
    services.run_cancel(run=ValidationRun.objects.get(), actor=dataset.owner)
    with events.capture() as captured:
        run = services.run_request(version=version, actor=dataset.owner)
    assert only(captured, "validation.started").payload["run"] == run.pk
