"""Transparency-log benchmark: proof latency at 1k, 100k and 1M entries (it must stay flat), the
time to build the stored tree, and append throughput through the event bus.

The entries are bulk-inserted with a correct hash chain (not published one by one: a million
events would take the whole run), then ``tree.sync`` stores the subtree hashes. Proofs are asked
through the API (Django's test client: routing, views, serializers, the proof queries), at random
indices, and checked with the standalone verifier. Runs in a throw-away database on the
configured engine. Alone: `.venv/bin/python bench/run.py log`; sizes: LOG_BENCH_SIZES=1000,100000.
"""

import base64
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import django_setup, throwaway_database

_tmp = django_setup("log")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "client" / "src"))

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from omi_commons_client import logverify as v  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

SIZES = [int(x) for x in os.environ.get("LOG_BENCH_SIZES", "1000,100000,1000000").split(",")]
PROOFS = 200
APPENDS = 300


def bulk_fill(upto: int) -> float:
    from governance import ledger
    from governance.models import LedgerEntry

    last = LedgerEntry.objects.order_by("-seq").first()
    seq, prev = (last.seq, last.hash) if last else (0, ledger.GENESIS)
    start = timezone.now() - timedelta(days=1)
    started = time.perf_counter()
    while seq < upto:
        rows = []
        for _ in range(min(10_000, upto - seq)):
            seq += 1
            when = start + timedelta(microseconds=seq)
            payload = {"dataset": f"d{seq % 997}", "version": str(seq), "sha256": f"{seq:064x}"}
            h = ledger.entry_hash(
                prev,
                seq=seq,
                kind="bench.entry",
                payload=payload,
                created_at=ledger.timestamp(when),
            )
            rows.append(
                LedgerEntry(
                    seq=seq,
                    kind="bench.entry",
                    payload=payload,
                    prev_hash=prev,
                    hash=h,
                    created_at=when,
                )
            )
            prev = h
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started


def ms(values):
    values = sorted(values)
    return (
        f"median {statistics.median(values) * 1000:.2f} ms, "
        f"p95 {values[int(len(values) * 0.95) - 1] * 1000:.2f} ms"
    )


def proofs(size: int) -> None:
    from transparency import api as log_api
    from transparency import checkpoints, tree

    # The benchmark measures the proofs, not the anonymous rate limit.
    log_api.Public.throttle_classes = []
    api = APIClient()
    cp = checkpoints.maybe_sign(force=True)
    root = bytes(cp.root_hash)
    assert cp.tree_size == size
    rng = random.Random(size)
    inclusion, consistency = [], []
    for _ in range(PROOFS):
        index = rng.randrange(size)
        t = time.perf_counter()
        r = api.get("/api/v1/log/proof/inclusion/", {"index": index, "tree_size": size})
        inclusion.append(time.perf_counter() - t)
        assert r.status_code == 200, r.content
        if len(inclusion) <= 5:
            entry = api.get("/api/v1/log/entries/", {"start": index, "end": index}).json()[0]
            v.verify_inclusion(
                index,
                size,
                base64.b64decode(entry["leaf_hash"]),
                [base64.b64decode(h) for h in r.json()["hashes"]],
                root,
            )
        first = rng.randrange(1, size + 1)
        t = time.perf_counter()
        r = api.get("/api/v1/log/proof/consistency/", {"first": first, "second": size})
        consistency.append(time.perf_counter() - t)
        assert r.status_code == 200, r.content
        if len(consistency) <= 5:
            v.verify_consistency(
                first,
                size,
                [base64.b64decode(h) for h in r.json()["hashes"]],
                tree.root(first),
                root,
            )
    direct = []
    for _ in range(PROOFS):
        index = rng.randrange(size)
        t = time.perf_counter()
        tree.inclusion_proof(index, size)
        direct.append(time.perf_counter() - t)
    print(f"  inclusion proof ({size:,} entries):   {ms(inclusion)} (API); {ms(direct)} (queries)")
    print(f"  consistency proof ({size:,} entries): {ms(consistency)}")


def appends() -> None:
    from config import events
    from governance import ledger
    from transparency import tree

    started = time.perf_counter()
    for i in range(APPENDS):
        with transaction.atomic():
            ledger.append("bench.raw", {"i": i})
    elapsed = time.perf_counter() - started
    print(f"  raw ledger append (lock, chain, insert): {APPENDS / elapsed:.0f} entries/s")
    events.declare("bench.appended", "A benchmark's event.", fields=("i",))
    settings.LOG_CHECKPOINT_INTERVAL = 5
    started = time.perf_counter()
    for i in range(APPENDS):
        with transaction.atomic():
            events.publish("bench.appended", {"i": i})
    elapsed = time.perf_counter() - started
    print(
        f"  append through the event bus: {APPENDS / elapsed:.0f} entries/s "
        f"({elapsed / APPENDS * 1000:.2f} ms each, checkpoint signing included)"
    )
    t = time.perf_counter()
    tree.sync()
    print(f"  tree catch-up after them: {(time.perf_counter() - t) * 1000:.1f} ms")


def main() -> None:
    from transparency import checkpoints, tree

    setup_test_environment()
    settings.LOG_CHECKPOINT_INTERVAL = 3600
    checkpoints._key.cache_clear()
    with throwaway_database("log", _tmp):
        print(f"engine: {connection.vendor}")
        for size in SIZES:
            fill = bulk_fill(size)
            t = time.perf_counter()
            tree.sync(batch=20_000)
            build = time.perf_counter() - t
            if connection.vendor == "postgresql":
                # Fresh statistics after a bulk load (autovacuum would do it a little later):
                # without them the planner may scan the node table instead of its primary key.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE transparency_treenode")
                    cursor.execute("ANALYZE governance_ledgerentry")
            print(f"{size:,} entries: bulk insert {fill:.1f} s, tree build {build:.1f} s")
            proofs(size)
        appends()


main()
