"""The event bus: after-commit delivery, failing subscribers, in-transaction refusal."""

import pytest
from django.db import transaction

from accounts.models import User
from config import events
from config.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)

events.declare("test.happened", "A test event.", fields=("what",))
events.declare("test.private", "A private test event.", fields=(), public=False)


@pytest.fixture
def listeners():
    added = []

    def add(kind, pattern, listener, **kwargs):
        getattr(events, kind)(pattern, **kwargs)(listener)
        added.append(listener)
        return listener

    yield add
    for listener in added:
        events.unsubscribe(listener)


def test_it_delivers_subscribers_after_commit_only(listeners):
    seen = []
    listeners("subscriber", "test.happened", lambda e: seen.append((e.name, dict(e.payload))))
    with transaction.atomic():
        events.publish("test.happened", {"what": "x"})
        assert seen == []  # not inside the writer's transaction
    assert seen == [("test.happened", {"what": "x"})]


def test_it_delivers_nothing_when_the_write_rolls_back(listeners):
    seen = []
    listeners("subscriber", "test.*", seen.append)
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("test.happened", {"what": "x"})
        raise RuntimeError("the write failed")
    assert seen == []


def test_a_failing_subscriber_never_undoes_the_write_and_others_still_run(listeners, caplog):
    seen = []

    def boom(event):
        raise ValueError("subscriber bug")

    listeners("subscriber", "test.happened", boom)
    listeners("subscriber", "*", seen.append)
    with transaction.atomic():
        User.objects.create(username="kept")
        events.publish("test.happened", {"what": "x"})
    assert User.objects.filter(username="kept").exists()
    assert [e.name for e in seen] == ["test.happened"]
    assert "subscriber bug" in caplog.text
    assert "the write stands" in caplog.text


def test_an_in_transaction_handler_may_refuse_and_the_write_rolls_back(listeners):
    def refuse(event):
        raise Conflict("Not today.")

    listeners("in_transaction", "test.happened", refuse)
    with pytest.raises(Conflict, match="Not today"), transaction.atomic():
        User.objects.create(username="refused")
        events.publish("test.happened", {"what": "x"})
    assert not User.objects.filter(username="refused").exists()


def test_in_transaction_handlers_run_inside_and_last_ones_at_the_end(listeners):
    order = []
    listeners("in_transaction", "test.happened", lambda e: order.append("ledger"), last=True)
    listeners(
        "in_transaction",
        "test.happened",
        lambda e: order.append(("apply", transaction.get_connection().in_atomic_block)),
    )
    with transaction.atomic():
        events.publish("test.happened", {"what": "x"})
        assert order == [("apply", True), "ledger"]


def test_it_refuses_undeclared_events_and_missing_fields():
    with pytest.raises(LookupError, match="not declared"):
        events.publish("test.never_declared", {})
    with pytest.raises(ValueError, match="without what"):
        events.publish("test.happened", {})


def test_events_carry_identity_actor_group_and_visibility(listeners):
    user = User.objects.create(username="actor")
    with events.capture() as captured:
        first = events.publish(
            "test.happened",
            {"what": 1},
            actor=user,
            group=7,
            url="/x/",
            subject={"type": "t", "ref": "1"},
        )
        second = events.publish("test.private", {})
    assert captured == [first, second]
    assert first.id != second.id and len(first.id) == 32
    assert (first.actor_id, first.group_id, first.public) == (user.pk, 7, True)
    assert second.public is False
    assert events.Event.from_dict(first.as_dict()) == first


def test_declaring_twice_differently_is_an_error():
    events.declare("test.happened", "A test event.", fields=("what",))
    with pytest.raises(ValueError, match="differently"):
        events.declare("test.happened", "Another meaning.", fields=("who",))
