"""Site search: every kind is found, grouped; nothing a person may not see leaks (pages and API)."""

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from config import search


def titles(groups):
    return {g.kind.name: [r.title for r in g.results] for g in groups}


def test_it_finds_every_kind_grouped(world):
    found = titles(search.search_grouped("zebrafish", world.author))
    assert set(found) >= {"groups", "proposals", "comments", "surveys", "standards", "datasets"}
    assert found["groups"] == ["Zebrafish imaging"]
    assert any("Caption the zebrafish set" in t for t in found["proposals"])
    assert found["standards"] == ["Zebrafish card"]
    people = titles(search.search_grouped("zoe", None))["people"]
    assert people == ["Zoe Zed"]


def test_people_are_found_by_bio_and_name_never_by_email(world):
    world.author.email = "hidden-address@example.org"
    world.author.save()
    assert "people" in titles(search.search_grouped("photograph zebrafish", None))
    assert "people" not in titles(search.search_grouped("hidden-address", None))


@pytest.mark.parametrize("viewer", ["anonymous", "stranger"])
def test_private_dataset_draft_survey_and_hidden_comment_never_leak(world, viewer):
    user = None if viewer == "anonymous" else world.stranger
    found = titles(search.search_grouped("zebrafish", user))
    assert found["datasets"] == ["Zebrafish public"]
    assert found["surveys"] == ["Zebrafish survey"]
    assert all("Secret" not in t for t in found["comments"])
    assert len(found["comments"]) == 1
    for name in ("datasets", "surveys", "comments"):
        page = search.search_kind("zebrafish", user, search.get_kind(name))
        assert page.paginator.count == len(found[name])
    # The hidden comment's words find nothing at all.
    assert "comments" not in titles(search.search_grouped("gossip", user))


def test_the_owner_finds_their_private_dataset_and_draft(world):
    found = titles(search.search_grouped("zebrafish", world.author))
    assert sorted(found["datasets"]) == ["Zebrafish private", "Zebrafish public"]
    found = titles(search.search_grouped("zebrafish", world.chair))
    assert sorted(found["surveys"]) == ["Zebrafish draft survey", "Zebrafish survey"]


def test_the_page_groups_results_and_never_leaks(world):
    html = Client().get("/search/", {"q": "zebrafish"}).content.decode()
    for label in ("Working groups", "Proposals", "Comments", "Surveys", "Standards", "Datasets"):
        assert f">{label} <" in html
    assert "Zebrafish public" in html
    assert "Zebrafish private" not in html and "Zebrafish draft survey" not in html
    assert "Secret zebrafish gossip" not in html
    assert 'role="search"' in html  # the header box


def test_the_page_with_nothing_asked_or_nothing_found(db):
    assert Client().get("/search/").status_code == 200
    html = Client().get("/search/", {"q": "nothing-like-this"}).content.decode()
    assert "Nothing matches" in html


def test_one_kind_is_paginated(world, django_assert_max_num_queries):
    from tests.registry.factories import DatasetFactory

    for i in range(25):
        DatasetFactory(slug=f"zf-{i}", name=f"Zebrafish number {i}", owner=world.author)
    client = Client()
    first = client.get("/search/", {"q": "zebrafish", "kind": "datasets"}).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/search/", {"q": "zebrafish", "kind": "datasets", "page": 2})
    assert "Page 2 of 2" in second.content.decode()
    # A page past the end shows the last page, not an error.
    assert client.get("/search/", {"q": "zf", "kind": "datasets", "page": 99}).status_code == 200
    assert client.get("/search/", {"q": "zf", "kind": "datasets", "page": "x"}).status_code == 200


def test_the_page_query_count_does_not_grow_with_results(world, django_assert_num_queries):
    """Per kind: its count, then its first results; however many rows match."""
    from governance import services as gov
    from tests.registry.factories import DatasetFactory

    client = Client()
    for batch in (0, 1):
        for i in range(8):
            DatasetFactory(slug=f"more-{batch}-{i}", name=f"Zebrafish {i}", owner=world.author)
            gov.comment_add(proposal=world.proposal, author=world.chair, body=f"zebrafish {i}")
        # 7 kinds, each matching: count + first results; anonymous: no session
        with django_assert_num_queries(14):
            client.get("/search/", {"q": "zebrafish"})


# --- API ------------------------------------------------------------------------------------------


def test_the_api_groups_kinds_and_never_leaks(world):
    body = APIClient().get("/api/v1/search/", {"q": "zebrafish"}).json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert [r["title"] for r in kinds["datasets"]["results"]] == ["Zebrafish public"]
    assert kinds["datasets"]["count"] == 1 and kinds["datasets"]["next"] is None
    assert [r["title"] for r in kinds["surveys"]["results"]] == ["Zebrafish survey"]
    assert kinds["groups"]["results"][0]["url"].startswith("http://testserver/groups/")


def test_the_api_shows_the_owner_their_private_dataset(world):
    client = APIClient()
    client.force_authenticate(world.author)
    body = client.get("/api/v1/search/", {"q": "zebrafish", "kind": "datasets"}).json()
    assert body["count"] == 2 and body["previous"] is None and body["next"] is None
    assert sorted(r["title"] for r in body["results"]) == ["Zebrafish private", "Zebrafish public"]


def test_the_api_paginates_one_kind(world):
    from tests.registry.factories import DatasetFactory

    for i in range(21):
        DatasetFactory(slug=f"zf-{i}", name=f"Zebrafish number {i}", owner=world.author)
    client = APIClient()
    body = client.get("/api/v1/search/", {"q": "zebrafish", "kind": "datasets"}).json()
    assert body["count"] == 22 and len(body["results"]) == 20 and body["next"]
    body = client.get(body["next"]).json()
    assert len(body["results"]) == 2 and body["next"] is None and body["previous"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "x", "kind": "nope"}, "kind"),
        ({"q": "x", "kind": "datasets", "page": "0"}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_the_api_explains_bad_input(db, params, field):
    response = APIClient().get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Ranking is PostgreSQL full-text search; SQLite lists newest first.",
)
def test_full_text_ranks_a_title_match_above_a_body_match_and_stems_words(world):
    from tests.governance.factories import draft

    draft(world.group, world.author, title="Lighting", body="About herons and a heron.")
    draft(world.group, world.author, title="Herons everywhere", body="Plain text.")
    draft(world.group, world.author, title="Unrelated", body="Nothing here.")
    page = search.search_kind("heron", None, search.get_kind("proposals"))
    titles = [r.title.split(": ", 1)[1] for r in page.object_list]
    assert titles == ["Herons everywhere", "Lighting"]  # stemmed: heron finds herons
    # websearch syntax: -word excludes
    page = search.search_kind("herons -everywhere", None, search.get_kind("proposals"))
    assert [r.title.split(": ", 1)[1] for r in page.object_list] == ["Lighting"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's.")
@pytest.mark.parametrize(
    "name, index",
    [("comments", "comment_search_document"), ("proposals", "proposal_search_document")],
)
def test_full_text_uses_the_gin_index(world, name, index):
    """The stored documents of migration governance 0006 and their GIN indexes serve the search."""
    qs = search.matching(search.get_kind(name), "zebrafish", None)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.order_by().explain()
    assert index in plan, plan
    assert "to_tsvector" not in plan  # the stored vector is read, never recomputed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Stored documents are PostgreSQL's.")
def test_every_stored_document_holds_its_kinds_fields(world):
    """A migration freezes the fields it stores; the kinds registered now must search the same
    vector, or a changed field or weight would silently stop being found."""
    from django.db.models import BooleanField, Func

    from tests.governance.factories import draft

    draft(world.group, world.author, title="Herons", body="Grey wading birds.")
    stored = [kind for kind in search.kinds() if kind.document]
    assert {kind.name for kind in stored} >= {"proposals", "comments"}
    for kind in stored:
        same = Func(
            search.computed_vector(kind.fields),
            search.StoredDocument(kind.document),
            template="%(expressions)s",
            arg_joiner=" = ",
            output_field=BooleanField(),
        )
        rows = kind.visible(None).order_by().annotate(same=same)
        assert rows.exists(), kind.name
        assert not rows.filter(same=False).exists(), kind.name


def test_a_word_matching_too_much_is_listed_unranked_but_complete(world, settings, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 1)
    page = search.search_kind("zebrafish", world.author, search.get_kind("datasets"))
    assert page.paginator.count == 2
    assert [r.title for r in page.object_list] == ["Zebrafish private", "Zebrafish public"]


def test_the_api_query_count_is_fixed(world, django_assert_num_queries):
    client = APIClient()
    with django_assert_num_queries(14):  # 7 kinds, each: count + first results
        assert client.get("/api/v1/search/", {"q": "zebrafish"}).status_code == 200
    with django_assert_num_queries(2):
        assert client.get("/api/v1/search/", {"q": "zebrafish", "kind": "comments"}).json()
