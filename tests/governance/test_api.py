"""The API contract of DESIGN.md: shapes, status codes, the error body, pinned query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services
from governance.models import Proposal, Vote

from .factories import draft, in_discussion, in_voting, make_due

pytestmark = pytest.mark.django_db

BASE = "/api/v1/groups/wg/proposals/"


def test_groups_list_and_detail(gov, api_client):
    r = api_client.get("/api/v1/groups/")
    assert r.status_code == 200
    assert set(r.json()) == {"next", "previous", "results"}
    g = next(g for g in r.json()["results"] if g["slug"] == "wg")
    assert g["slug"] == "wg" and g["member_count"] == 6
    assert g["url"].endswith("/groups/wg/")
    r = api_client.get("/api/v1/groups/wg/")
    members = {m["username"]: m["role"] for m in r.json()["members"]}
    assert members["chair"] == "chair" and members["observer"] == "observer"
    assert "<strong>test</strong>" in r.json()["charter_html"]
    assert api_client.get("/api/v1/groups/nope/").status_code == 404


def test_join(gov, api_client_for, api_client):
    assert api_client.post("/api/v1/groups/wg/join/").status_code in (401, 403)
    r = api_client_for(gov.outsider).post("/api/v1/groups/wg/join/")
    assert r.status_code == 201 and r.json()["status"] == "pending"
    r = api_client_for(gov.outsider).post("/api/v1/groups/wg/join/")
    assert r.status_code == 409
    assert set(r.json()) == {"detail", "errors"}


def test_create_a_proposal(gov, api_client_for):
    r = api_client_for(gov.contributor).post(
        BASE,
        {"kind": "general", "title": "Use BCP 47", "summary": "Tags", "body": "# Hi"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    for key in [
        "group",
        "number",
        "kind",
        "title",
        "summary",
        "body",
        "body_html",
        "status",
        "authors",
        "revision",
        "voting_closes_at",
        "url",
    ]:
        assert key in body
    assert body["group"] == "wg" and body["number"] == 1 and body["status"] == "draft"
    assert body["authors"] == ["contributor"] and body["revision"] == 1
    assert body["body_html"] == "<h1>Hi</h1>"


def test_create_with_a_target(gov, api_client_for):
    target = {"type": "standard_version", "id": 4, "sha256": "b" * 64}
    r = api_client_for(gov.contributor).post(
        BASE,
        {
            "kind": "standard_adoption",
            "title": "Adopt",
            "summary": "",
            "body": "",
            "target": target,
        },
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["target"] == target


def test_refusals_have_the_error_shape(gov, api_client_for, api_client):
    payload = {"kind": "general", "title": "T", "summary": "", "body": ""}
    assert api_client.post(BASE, payload, format="json").status_code in (401, 403)
    r = api_client_for(gov.outsider).post(BASE, payload, format="json")
    assert r.status_code == 403
    assert "contributors" in r.json()["detail"] and r.json()["errors"] == {}
    r = api_client_for(gov.observer).post(BASE, payload, format="json")
    assert r.status_code == 403
    r = api_client_for(gov.contributor).post(BASE, {"kind": "nope", "title": ""}, format="json")
    assert r.status_code == 400
    assert {"kind", "title"} <= set(r.json()["errors"])
    assert not Proposal.objects.exists()


def test_patch_makes_a_revision_only_for_authors_while_editable(gov, api_client_for):
    p = draft(gov.group, gov.contributor)
    url = f"{BASE}{p.number}/"
    r = api_client_for(gov.contributor).patch(url, {"body": "New text"}, format="json")
    assert r.status_code == 200 and r.json()["revision"] == 2 and r.json()["body"] == "New text"
    r = api_client_for(gov.committers[0]).patch(url, {"body": "Hijack"}, format="json")
    assert r.status_code == 403
    services.proposal_to_discussion(proposal=p, actor=gov.contributor)
    services.proposal_open_voting(
        proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(days=1)
    )
    r = api_client_for(gov.contributor).patch(url, {"body": "Too late"}, format="json")
    assert r.status_code == 409 and "no longer change" in r.json()["detail"]


def test_transitions(gov, api_client_for):
    p = draft(gov.group, gov.contributor)
    url = f"{BASE}{p.number}/transitions/"
    r = api_client_for(gov.contributor).post(url, {"to": "voting"}, format="json")
    assert r.status_code == 403  # not a chair
    r = api_client_for(gov.contributor).post(url, {"to": "discussion"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "discussion"
    r = api_client_for(gov.contributor).post(url, {"to": "discussion"}, format="json")
    assert r.status_code == 409 and r.json()["detail"]
    closes = (timezone.now() + timedelta(days=2)).isoformat()
    r = api_client_for(gov.chair).post(url, {"to": "voting"}, format="json")
    assert r.status_code == 400 and "voting_closes_at" in r.json()["errors"]
    r = api_client_for(gov.chair).post(
        url, {"to": "voting", "voting_closes_at": closes}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "voting"
    assert r.json()["voting_closes_at"]
    r = api_client_for(gov.contributor).post(url, {"to": "withdrawn"}, format="json")
    assert r.status_code == 409
    r = api_client_for(gov.chair).post(url, {"to": "accepted"}, format="json")
    assert r.status_code == 400


def test_votes(gov, api_client_for, api_client):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    url = f"{BASE}{p.number}/votes/"
    assert api_client.post(url, {"choice": "yes"}, format="json").status_code in (401, 403)
    r = api_client_for(gov.observer).post(url, {"choice": "yes"}, format="json")
    assert r.status_code == 403 and "roll" in r.json()["detail"]
    r = api_client_for(gov.chair).post(url, {"choice": "yes"}, format="json")
    assert r.status_code == 201 and r.json()["choice"] == "yes" and r.json()["revision"] == 1
    r = api_client_for(gov.chair).post(url, {"choice": "no", "reason": "Hmm"}, format="json")
    assert r.status_code == 200 and r.json()["choice"] == "no"
    r = api_client_for(gov.chair).post(url, {"choice": "maybe"}, format="json")
    assert r.status_code == 400 and "choice" in r.json()["errors"]
    listing = api_client.get(url).json()["results"]
    assert [(v["voter"], v["choice"]) for v in listing] == [("chair", "no")]
    assert Vote.objects.count() == 1


def test_votes_hide_choices_while_open_when_the_group_says_so(gov, api_client_for, api_client):
    services.group_settings_update(
        group=gov.group,
        actor=gov.chair,
        general_rule="majority_of_all",
        quorum="0.5",
        show_live_tally=False,
    )
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    url = f"{BASE}{p.number}/votes/"
    assert api_client.get(url).json()["results"][0]["choice"] is None
    assert api_client_for(gov.chair).get(url).json()["results"][0]["choice"] == "yes"
    services.proposal_close(proposal=make_due(p))
    assert api_client.get(url).json()["results"][0]["choice"] == "yes"


def test_a_vote_after_the_close_is_409(gov, api_client_for):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.proposal_close(proposal=make_due(p))
    r = api_client_for(gov.chair).post(f"{BASE}{p.number}/votes/", {"choice": "yes"}, format="json")
    assert r.status_code == 409 and r.json()["detail"] == "Voting is not open on this proposal."
    d = in_discussion(gov.group, gov.contributor)
    r = api_client_for(gov.chair).post(f"{BASE}{d.number}/votes/", {"choice": "yes"}, format="json")
    assert r.status_code == 409


def test_decision(gov, api_client):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    url = f"{BASE}{p.number}/decision/"
    r = api_client.get(url)
    assert r.status_code == 404 and set(r.json()) == {"detail", "errors"}
    for voter in [gov.chair, *gov.committers[:2]]:
        services.vote_cast(proposal=p, voter=voter, choice="yes")
    services.vote_cast(proposal=p, voter=gov.committers[2], choice="abstain")
    services.proposal_close(proposal=make_due(p))
    body = api_client.get(url).json()
    assert body["outcome"] == "accepted"
    assert body["tally"] == {"yes": 3, "no": 0, "abstain": 1}
    assert body["roll_size"] == 4 and body["rule"] == "majority_of_all" and body["revision"] == 1
    assert body["explanation"].startswith("Accepted") and len(body["ledger_hash"]) == 64
    assert body["decided_at"]
    assert api_client.get(f"{BASE}{p.number}/").json()["decision_url"].endswith(url)


def test_ledger_endpoint(gov, api_client):
    draft(gov.group, gov.contributor)
    r = api_client.get("/api/v1/ledger/")
    entries = r.json()["results"]
    assert entries[0]["seq"] == 1
    assert set(entries[0]) == {"seq", "kind", "payload", "prev_hash", "hash", "created_at"}
    assert entries[-1]["kind"] == "proposal.created"


def test_anonymous_may_read_everything(gov, api_client):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    for url in [
        "/api/v1/groups/",
        "/api/v1/groups/wg/",
        BASE,
        f"{BASE}{p.number}/",
        f"{BASE}{p.number}/votes/",
        "/api/v1/ledger/",
    ]:
        assert api_client.get(url).status_code == 200, url


# --- pinned query counts --------------------------------------------------------------------------


def test_query_counts_of_list_endpoints(gov, api_client, django_assert_num_queries, locmem_cache):
    for i in range(5):
        p = in_voting(gov.group, gov.contributor, gov.chair, title=f"P{i}")
        for voter in [gov.chair, *gov.committers]:
            services.vote_cast(proposal=p, voter=voter, choice="yes")
    # groups: page + count-free cursor page (1)
    with django_assert_num_queries(1):
        assert api_client.get("/api/v1/groups/").status_code == 200
    # group detail: group (1) + members with users (1)
    with django_assert_num_queries(2):
        assert api_client.get("/api/v1/groups/wg/").status_code == 200
    # proposals: group (1) + page (1) + authors (1), whatever the number of proposals
    with django_assert_num_queries(3):
        assert len(api_client.get(BASE).json()["results"]) == 5
    # votes: group (1) + proposal (1) + authors (1) + page (1)
    with django_assert_num_queries(4):
        assert len(api_client.get(f"{BASE}1/votes/").json()["results"]) == 4
    # ledger: one query per page
    with django_assert_num_queries(1):
        assert api_client.get("/api/v1/ledger/").status_code == 200


def test_a_membership_proposal_through_the_api(gov, api_client_for):
    r = api_client_for(gov.committers[0]).post(
        BASE,
        {
            "kind": "membership",
            "title": "Promote the contributor",
            "subject": "contributor",
            "membership_action": "promote",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["subject"] == "contributor" and r.json()["membership_action"] == "promote"
    r = api_client_for(gov.committers[0]).post(
        BASE,
        {"kind": "membership", "title": "X", "subject": "nobody", "membership_action": "promote"},
        format="json",
    )
    assert r.status_code == 400 and "subject" in r.json()["errors"]
