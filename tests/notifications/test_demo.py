"""``seed_demo`` leaves unread notifications for the demo people (the bell shows something on
the first run), and a rerun adds none."""

import pytest
from django.core.management import call_command

from datasets_registry import demo as registry_demo
from notifications.models import Follow, Notification


@pytest.fixture(autouse=True)
def _demo(settings, monkeypatch, tmp_path):
    settings.DEBUG = True
    monkeypatch.setattr(registry_demo, "COCO_PATH", tmp_path / "absent.jsonl")


@pytest.mark.django_db(transaction=True)
def test_the_demo_leaves_unread_notifications():
    call_command("seed_demo", verbosity=0)
    unread = Notification.objects.filter(read_at__isnull=True)
    committer = unread.filter(recipient__username="demo-committer1")
    assert committer.filter(kind="vote.opened").exists()
    assert unread.filter(recipient__username="demo-chair").exists()
    assert Follow.objects.filter(
        user__username="demo-observer", subject_ref="steering-committee"
    ).exists()
    # Digests for the demo people: nothing was e-mailed at once.
    assert not Notification.objects.filter(email="sent").exists()
    before = Notification.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Notification.objects.count() == before
