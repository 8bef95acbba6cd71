"""SQLite's writers queue on one flock beside the database file (config/sqlite3): held from
BEGIN to COMMIT or ROLLBACK and around a write outside a transaction, never by a reader."""

import fcntl
import os
import threading

import pytest
from django.db import connection, transaction

from accounts.models import User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="The queue is SQLite's."),
]


def queue_is_free() -> bool:
    """Whether another process could take the writers' lock now."""
    fd = os.open(f"{connection.settings_dict['NAME']}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_write_transaction_holds_the_queue_until_it_commits():
    assert queue_is_free()
    with transaction.atomic():
        User.objects.create(username="writer")
        assert not queue_is_free()
    assert queue_is_free()
    assert User.objects.filter(username="writer").exists()


def test_a_transaction_that_fails_lets_the_queue_go():
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create(username="doomed")
        raise RuntimeError("refused")
    assert queue_is_free()
    assert not User.objects.filter(username="doomed").exists()


def test_reads_never_queue_and_a_lone_write_queues_only_while_it_runs():
    User.objects.create(username="lone")
    assert queue_is_free()
    with transaction.atomic():
        list(User.objects.all())
        assert not queue_is_free()  # BEGIN IMMEDIATE: a transaction is a writer from its start
    list(User.objects.all())
    assert queue_is_free()


def test_a_second_writer_waits_for_the_first_and_then_writes():
    order = []
    started = threading.Event()

    def second():
        started.wait(5)
        try:
            User.objects.create(username="second")
            order.append("second")
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    with transaction.atomic():
        User.objects.create(username="first")
        thread.start()
        started.set()
        thread.join(0.5)
        assert thread.is_alive()  # queued behind this transaction, not failing
        order.append("first")
    thread.join(10)
    assert order == ["first", "second"]
    assert set(User.objects.values_list("username", flat=True)) >= {"first", "second"}
