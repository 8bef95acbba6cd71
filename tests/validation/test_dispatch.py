"""Tasks leave after the commit, and an unreachable broker never turns committed work into an
error (issue 10, item 5): the request succeeds, the failure is logged, the sweeper sends later."""

import contextlib
import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from datasets_registry.validation import services, tasks
from datasets_registry.validation.models import ValidationRun
from tests.factories import UserFactory

from .factories import DEFECTS, jsonl, make_dataset

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def unreachable_broker():
    """Point this process's Celery app at a Redis port where nothing listens (refused at once,
    never the network)."""
    from config.celery import app

    keys = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    old = {k: app.conf[k] for k in keys}
    url = "redis://127.0.0.1:9/0"
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url)
    app.conf.broker_transport_options = {}
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.update(old)
        app._pool = None
        app.amqp._producer_pool = None


def url(version, suffix=""):
    return f"/api/v1/datasets/{version.dataset.slug}/versions/{version.version}/{suffix}"


def test_an_upload_and_a_revalidation_succeed_while_the_broker_is_down(
    api_client_for, caplog, monkeypatch
):
    owner = UserFactory(username="owner")
    make_dataset(owner, slug="cats")
    client = api_client_for(owner)
    caplog.set_level(logging.WARNING, logger="datasets_registry.validation.tasks")
    with unreachable_broker():
        response = client.post(
            "/api/v1/datasets/cats/versions/",
            {"file": SimpleUploadedFile("c.jsonl", jsonl(DEFECTS)), "version": "1.0.0"},
            format="multipart",
        )
        assert response.status_code == 201, response.content
        first = ValidationRun.objects.get()
        assert first.status == "queued"
        services.run_cancel(run=first, actor=owner)
        response = client.post(url(first.version, "validation/"))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    queued = ValidationRun.objects.get(status="queued")  # committed
    assert caplog.text.count("the validation sweeper will send it again") == 2

    # Once the broker answers again, the sweeper sends the queued run's coordinator.
    sent = []
    monkeypatch.setattr(tasks.start_validation_run, "delay", lambda *args: sent.append(args))
    assert services.sweep()["restarted"] == 0  # not presumed lost yet
    later = timezone.now() + timedelta(seconds=settings.VALIDATION_REDISPATCH_SECONDS + 1)
    assert services.sweep(now=later)["restarted"] == 1
    assert sent == [(queued.pk,)]
