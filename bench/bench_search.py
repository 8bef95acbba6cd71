"""Site search: milliseconds per grouped search (the header box, every kind) and per page of one
kind, on 20,000 comments made of real, distinct COCO captions under 50 proposals.

Three words a visitor types: one found in every comment (each comment ends "I agree with
this."), one in a few hundred ("giraffe") and a two-word phrase found in three. The first is the
hard case: on PostgreSQL every match must be counted and ranked, which is what the stored search
documents (governance migration 0006) make cheap. The ceiling is a query that matches nothing.
Run alone with `.venv/bin/python bench/run.py search`.
"""

import gzip
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import ROOT, django_setup, throwaway_database

_tmp = django_setup("search")

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402

COMMENTS = 20_000
PROPOSALS = 50
RUNS = 15
QUERIES = ("agree", "giraffe", '"motorcycle parked"', "zzzunfound")
COCO = ROOT / "datasets_registry" / "demo_data" / "coco_val2017_captions.jsonl.gz"


def seed() -> None:
    from accounts.models import User
    from governance import services
    from governance.models import Comment

    with gzip.open(COCO, "rt", encoding="utf-8") as lines:
        captions = list(dict.fromkeys(json.loads(line)["text"] for line in lines))[:COMMENTS]
    staff = User.objects.create(username="bench-staff", is_staff=True)
    chair = User.objects.create(username="bench-chair")
    group = services.group_create(slug="bench", name="Bench", actor=staff, chair=chair)
    proposals = []
    for i in range(PROPOSALS):
        proposal = services.proposal_create(
            group=group,
            author=chair,
            kind="general",
            title=f"Caption rule {i}",
            summary="How captions should describe a picture.",
            body="## Why\n\nBecause captions matter.\n",
        )
        services.proposal_to_discussion(proposal=proposal, actor=chair)
        proposals.append(proposal)
    Comment.objects.bulk_create(
        (
            Comment(
                proposal=proposals[i % PROPOSALS], author=chair, body=f"{text} I agree with this."
            )
            for i, text in enumerate(captions)
        ),
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def median_ms(call) -> float:
    call()  # warm: the first search discovers the kinds
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    from config import search

    with throwaway_database("search", _tmp):
        seed()
        anonymous = AnonymousUser()
        comments = search.get_kind("comments")
        engine = "full text, stored documents" if search.uses_full_text() else "icontains"
        print(f"{COMMENTS:,} distinct comments on {connection.vendor} ({engine})", flush=True)
        for query in QUERIES:
            matches = search.matching(comments, query, anonymous, ranked=False).count()
            grouped = median_ms(lambda q=query: search.search_grouped(q, anonymous))
            page = median_ms(lambda q=query: search.search_kind(q, anonymous, comments, page=3))
            print(
                f"{query:<20} {matches:>6} comments match  grouped search {grouped:7.1f} ms  "
                f"comments page 3 {page:7.1f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
