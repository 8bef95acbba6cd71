"""Governance benchmark: requests per second of the vote endpoint, and query counts of the main
pages and endpoints.

Runs in a throw-away test database on the configured engine (SQLite by default, PostgreSQL with
DATABASE_URL), through Django's test client, so it measures the application (auth, throttling,
serializers, the service's row lock), not a web server. Run alone with
`.venv/bin/python bench/run.py governance`.
"""

import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import django_setup, throwaway_database

_tmp = django_setup("governance")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

VOTERS = 50
REQUESTS = 1000
THREADS = 4


def build():
    from accounts.models import User
    from governance import services
    from governance.models import Membership

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff = User.objects.create(username="bench-staff", is_staff=True)
    chair = User.objects.create(username="bench-chair")
    group = services.group_create(slug="bench", name="Bench", actor=staff, chair=chair)
    voters = [User.objects.create(username=f"bench-voter{i}") for i in range(VOTERS)]
    for v in voters:
        services.membership_grant(group=group, user=v, role=Membership.Role.COMMITTER, reason="b")
    author = User.objects.create(username="bench-author")
    services.membership_grant(group=group, user=author, role="contributor", reason="bench")
    proposals = []
    for i in range(12):
        p = services.proposal_create(
            group=group, author=author, kind="general", title=f"P{i}", summary="", body="x"
        )
        services.proposal_to_discussion(proposal=p, actor=author)
        services.proposal_open_voting(
            proposal=p, actor=chair, closes_at=timezone.now() + timedelta(days=1)
        )
        proposals.append(p)
    # Some history for the pages: closed votes with decisions.
    for p in proposals[1:6]:
        for v in voters[:30]:
            services.vote_cast(proposal=p, voter=v, choice="yes")
        type(p).objects.filter(pk=p.pk).update(voting_closes_at=timezone.now())
        services.proposal_close(proposal=p)
    return group, chair, voters, author, proposals[0]


def clients_for(users):
    out = []
    for u in users:
        c = APIClient()
        c.force_authenticate(u)
        out.append(c)
    return out


def bench_sequential(clients, url) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for i in range(REQUESTS):
        c = clients[i % len(clients)]
        t = time.perf_counter()
        r = c.post(url, {"choice": ("yes", "no", "abstain")[i % 3]}, format="json")
        latencies.append(time.perf_counter() - t)
        assert r.status_code in (200, 201), r.content
    return REQUESTS / (time.perf_counter() - started), latencies


def bench_threads(clients, url) -> float:
    per_thread = REQUESTS // THREADS
    groups = [clients[i::THREADS] for i in range(THREADS)]
    failures = []

    def run(mine):
        try:
            for i in range(per_thread):
                r = mine[i % len(mine)].post(url, {"choice": "yes"}, format="json")
                if r.status_code not in (200, 201):
                    failures.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(g,)) for g in groups]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert not failures, failures[:5]
    return per_thread * THREADS / elapsed


def query_counts(group, chair, voters, proposal) -> list[tuple[str, int]]:
    anon = Client()
    member = Client()
    member.force_login(voters[0])
    decided = group.proposals.filter(status__in=["accepted", "rejected"]).first()
    pages = [
        ("page /groups/", anon, "/groups/"),
        ("page group detail", anon, group.get_absolute_url()),
        ("page proposal (voting)", anon, proposal.get_absolute_url()),
        ("page proposal (signed in voter)", member, proposal.get_absolute_url()),
        ("page decision", anon, decided.get_absolute_url() + "decision/"),
        ("page group activity", anon, f"/groups/{group.slug}/activity/"),
        ("page /me/ (signed in)", member, "/me/"),
        ("api groups", anon, "/api/v1/groups/"),
        ("api group detail", anon, f"/api/v1/groups/{group.slug}/"),
        ("api proposals", anon, f"/api/v1/groups/{group.slug}/proposals/"),
        ("api votes", anon, f"/api/v1/groups/{group.slug}/proposals/{proposal.number}/votes/"),
        ("api ledger", anon, "/api/v1/ledger/"),
    ]
    out = []
    for name, client, url in pages:
        client.get(url)  # warm up (sessions, caches)
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out.append((name, len(ctx.captured_queries)))
    return out


def main() -> None:
    setup_test_environment()
    with throwaway_database("bench_governance", _tmp):
        group, chair, voters, _author, proposal = build()
        url = f"/api/v1/groups/{group.slug}/proposals/{proposal.number}/votes/"
        clients = clients_for(voters)
        print(f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND']}")
        rps, lat = bench_sequential(clients, url)
        lat_ms = sorted(x * 1000 for x in lat)
        print(
            f"vote endpoint, 1 client:  {rps:7.1f} requests/s  "
            f"(median {statistics.median(lat_ms):.1f} ms, p95 {lat_ms[int(len(lat_ms) * 0.95)]:.1f} ms,"
            f" {REQUESTS} POSTs from {VOTERS} voters)"
        )
        rps_t = bench_threads(clients, url)
        print(f"vote endpoint, {THREADS} threads: {rps_t:7.1f} requests/s (one proposal row lock)")
        from governance.models import Vote

        assert Vote.objects.filter(proposal=proposal).count() == VOTERS
        # The throttle's cache adds queries when the cache is the database (the zero-config
        # default); count the application's own queries with the cache in memory.
        from django.test.utils import override_settings

        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        ):
            counts = query_counts(group, chair, voters, proposal)
        print("query counts (one request, warm, throttle cache in memory):")
        for name, n in counts:
            print(f"  {name:34s} {n:3d}")


if __name__ == "__main__":
    main()
