"""The beat task on a real Celery worker process: a due survey is closed and frozen."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import ResultSnapshot, Survey
from surveys.tasks import close_due_surveys

from .factories import make_survey


@pytest.mark.integration
def test_a_worker_closes_due_surveys(celery_worker, staff_user):
    survey = make_survey(actor=staff_user)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    close_due_surveys.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ResultSnapshot.objects.filter(survey=survey).exists():
            break
        time.sleep(0.2)
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert len(ResultSnapshot.objects.get(survey=survey).sha256) == 64
