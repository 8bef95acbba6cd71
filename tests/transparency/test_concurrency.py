"""Appends under concurrency keep one order with no gaps, and every checkpoint signed meanwhile
names a tree of committed entries only (PostgreSQL: SQLite serialises writers anyway)."""

import threading

import pytest
from django.db import connection, connections, transaction

from config import events
from governance.models import LedgerEntry
from transparency import checkpoints, merkle, tree
from transparency.models import Checkpoint


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_appends_and_checkpoints(transactional_db):
    events.declare("logtest.appended", "A concurrency test's event.", fields=("worker", "i"))
    errors = []

    def writer(worker: int):
        try:
            for i in range(15):
                with transaction.atomic():
                    events.publish("logtest.appended", {"worker": worker, "i": i})
                    if i % 5 == 0:
                        # A write that rolls back after its entry was appended: no gap left.
                        try:
                            with transaction.atomic():
                                events.publish("logtest.appended", {"worker": worker, "i": -1})
                                raise RuntimeError("roll back")
                        except RuntimeError:
                            pass
        except Exception as exc:  # pragma: no cover (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    def signer():
        try:
            for _ in range(10):
                checkpoints.maybe_sign(force=True)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    threads += [threading.Thread(target=signer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 61))
    assert not LedgerEntry.objects.filter(payload__i=-1).exists()
    assert tree.sync() == 60
    leaves = [tree.entry_leaf(e) for e in LedgerEntry.objects.order_by("seq")]
    for cp in Checkpoint.objects.all():
        assert bytes(cp.root_hash) == merkle.reference_root(leaves[: cp.tree_size])
    from governance import ledger

    assert ledger.verify().ok
    assert connection.vendor == "postgresql"
