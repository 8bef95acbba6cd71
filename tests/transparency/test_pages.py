"""The public log page (issue 16, defect 10): what happened in words, linking to the thing, with
the hash and how to verify; paginated; group activity in words; artefact pages link to their
entry."""

import re

import pytest
from django.test import Client

from governance import ledger
from governance.models import LedgerEntry


@pytest.fixture
def client():
    return Client()


def test_the_log_page_tells_what_happened_in_words(decided, client):
    page = client.get("/log/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Proposal #1 was accepted (2 yes, 1 no, 0 abstain)" in html
    assert "c1 voted no on proposal #1" in html
    assert decided.get_absolute_url() in html
    assert "omi log verify" in html
    assert "proposal.moved" not in html  # words, not codes
    last = LedgerEntry.objects.order_by("-seq").first()
    assert last.hash[:16] in html


def test_the_log_page_is_paginated_with_constant_queries(db, client, django_assert_max_num_queries):
    for i in range(120):
        ledger.append("group.created", {"group": f"g{i}", "name": f"Group {i}"})
    client.get("/log/")  # the first reader signs the checkpoint of the new entries
    with django_assert_max_num_queries(8):
        first = client.get("/log/")
    html = first.content.decode()
    assert "Page 1 of 3" in html and "120 entries" in html
    assert html.count('class="mono hash" title=') == 50
    third = client.get("/log/?page=3").content.decode()
    assert "Working group “Group 0” was created" in third
    assert client.get("/log/?kind=group.created").status_code == 200


def test_an_entry_page_shows_hash_leaf_and_inclusion_proof(decided, client):
    entry = LedgerEntry.objects.get(kind="decision.recorded")
    html = client.get(f"/log/{entry.seq}/").content.decode()
    assert entry.hash in html and entry.prev_hash in html
    assert "/api/v1/log/proof/inclusion/?index=" in html
    assert "&quot;ballots&quot;" in html
    assert client.get("/log/999999/").status_code == 404


def test_group_activity_is_in_words_and_links_to_the_log(decided, client):
    html = client.get("/groups/wg/activity/").content.decode()
    assert "opened the vote on proposal #1" in html
    assert "<code" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.search(r'href="/log/\d+/"', html)


def test_the_decision_page_links_to_its_log_entry(decided, client):
    entry = LedgerEntry.objects.get(kind="decision.recorded")
    html = client.get(decided.get_absolute_url()).content.decode()
    assert f'href="/log/{entry.seq}/"' in html and "inclusion proof" in html


def test_the_footer_links_to_the_readable_log(db, client):
    html = client.get("/log/").content.decode()
    footer = html.split("<footer", 1)[1]
    assert 'href="/log/"' in footer and "/api/v1/ledger/" not in footer
