"""Website pages: what they show, what they refuse, how many queries they take."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services
from governance.models import Comment, Membership, Proposal, Vote

from .factories import draft, in_discussion, in_voting, make_due

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src="x" onerror="alert(1)"> [link](javascript:alert(1))'


def test_group_pages_render(gov, client, client_for):
    in_voting(gov.group, gov.contributor, gov.chair, title="Open vote here")
    r = client.get("/groups/")
    assert r.status_code == 200 and b"Test Group" in r.content
    r = client.get("/groups/wg/")
    html = r.content.decode()
    assert "<strong>test</strong>" in html
    assert "Open vote here" in html and "Committers" in html and "Observers" in html
    assert "Log in" in html
    assert client.get("/groups/wg/activity/").status_code == 200
    assert client.get("/groups/none/").status_code == 404


def test_markdown_is_sanitised_in_charter_body_and_decision(gov, client):
    gov.group.charter = XSS
    gov.group.save()
    p = in_voting(gov.group, gov.contributor, gov.chair, body=XSS)
    services.proposal_close(proposal=make_due(p))
    for url in ["/groups/wg/", p.get_absolute_url(), p.get_absolute_url() + "decision/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "onerror" not in html, url
        assert "javascript:" not in html, url


def test_markdown_is_sanitised_in_the_api(gov, api_client):
    p = draft(gov.group, gov.contributor, body=XSS)
    body_html = api_client.get(f"/api/v1/groups/wg/proposals/{p.number}/").json()["body_html"]
    assert "<script" not in body_html and "onerror" not in body_html
    assert "javascript:" not in body_html


def test_join_and_chair_approval_on_the_website(gov, client_for):
    outsider = client_for(gov.outsider)
    r = outsider.post("/groups/wg/join/")
    assert r.status_code == 302
    m = Membership.objects.get(user=gov.outsider)
    assert m.status == "pending"
    # A committer may not approve; a chair may.
    r = client_for(gov.committers[0]).post(
        f"/groups/wg/members/{m.pk}/approve/", {"role": "contributor"}
    )
    assert r.status_code == 403
    chair = client_for(gov.chair)
    assert b"Join requests" in chair.get("/groups/wg/").content
    chair.post(f"/groups/wg/members/{m.pk}/approve/", {"role": "contributor"})
    m.refresh_from_db()
    assert (m.status, m.role) == ("active", "contributor")
    chair.post(f"/groups/wg/members/{m.pk}/role/", {"role": "observer"})
    m.refresh_from_db()
    assert m.role == "observer"
    committer = Membership.objects.get(user=gov.committers[0])
    r = chair.post(f"/groups/wg/members/{committer.pk}/role/", {"role": "observer"})
    assert r.status_code == 403
    committer.refresh_from_db()
    assert committer.role == "committer"


def test_a_contributor_writes_edits_and_moves_a_proposal(gov, client_for):
    c = client_for(gov.contributor)
    assert c.get("/groups/wg/proposals/new/").status_code == 200
    r = c.post(
        "/groups/wg/proposals/new/",
        {"kind": "general", "title": "Web proposal", "summary": "S", "body": "line one"},
    )
    assert r.status_code == 302
    p = Proposal.objects.get(title="Web proposal")
    r = c.post(p.get_absolute_url() + "edit/", {"title": "Web proposal", "body": "line two"})
    assert r.status_code == 302
    history = c.get(p.get_absolute_url() + "revisions/").content.decode()
    assert "<del" in history and "line one" in history and "<ins" in history
    c.post(p.get_absolute_url() + "transition/", {"to": "discussion"})
    p.refresh_from_db()
    assert p.status == "discussion" and p.revision == 2


def test_website_refusals(gov, client, client_for):
    p = in_discussion(gov.group, gov.contributor)
    url = p.get_absolute_url()
    # Anonymous writes go to the login page and change nothing.
    for path in ["transition/", "comments/", "vote/"]:
        r = client.post(url + path, {"to": "withdrawn", "body": "x", "choice": "yes"})
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert client.post("/groups/wg/join/").status_code == 302
    assert client.get("/groups/wg/proposals/new/").status_code == 302
    # Non-members and observers may not propose.
    assert client_for(gov.outsider).get("/groups/wg/proposals/new/").status_code == 403
    r = client_for(gov.observer).post(
        "/groups/wg/proposals/new/", {"title": "x", "kind": "general"}
    )
    assert r.status_code == 403
    # Someone else may not edit; a non-chair may not open the vote.
    assert client_for(gov.committers[0]).get(url + "edit/").status_code == 403
    r = client_for(gov.committers[0]).post(url + "edit/", {"title": "Hijacked"})
    assert r.status_code == 403
    closes = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = client_for(gov.contributor).post(
        url + "transition/", {"to": "voting", "voting_closes_at": closes}
    )
    assert r.status_code == 403
    # Outsiders may not comment.
    assert client_for(gov.outsider).post(url + "comments/", {"body": "spam"}).status_code == 403
    p.refresh_from_db()
    assert p.status == "discussion" and p.title == "A proposal" and not Comment.objects.exists()


def test_the_author_may_not_edit_after_voting_opened_on_the_website(gov, client_for):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    r = client_for(gov.contributor).post(
        p.get_absolute_url() + "edit/", {"title": "Changed", "body": "x"}
    )
    assert r.status_code == 400
    assert "can no longer change" in r.content.decode()
    p.refresh_from_db()
    assert p.title == "A proposal"


def test_voting_on_the_website(gov, client_for, client):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    url = p.get_absolute_url()
    chair = client_for(gov.chair)
    assert b"Cast my vote" in chair.get(url).content
    chair.post(url + "vote/", {"choice": "yes"})
    chair.post(url + "vote/", {"choice": "abstain"})
    assert Vote.objects.get().choice == "abstain"
    observer_page = client_for(gov.observer).get(url).content.decode()
    assert "not on the voter roll" in observer_page
    r = client_for(gov.observer).post(url + "vote/", {"choice": "yes"})
    assert r.status_code == 403
    assert "1 of 4 on the roll has voted" in client.get(url).content.decode()


def test_the_live_count_shows_only_where_the_group_allows_it(gov, client):
    services.group_settings_update(
        group=gov.group,
        actor=gov.chair,
        general_rule="majority_of_all",
        quorum="0.5",
        show_live_tally=False,
    )
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    html = client.get(p.get_absolute_url()).content.decode()
    assert "only after the close" in html and "1 yes" not in html
    services.proposal_close(proposal=make_due(p))
    assert "1 yes" in client.get(p.get_absolute_url()).content.decode()


def test_a_hidden_comment_is_not_shown_to_the_public(gov, client, client_for):
    p = in_discussion(gov.group, gov.contributor)
    c = services.comment_add(proposal=p, author=gov.observer, body="Rude words here")
    client_for(gov.committers[0]).post(
        p.get_absolute_url() + f"comments/{c.pk}/hide/", {"reason": "nope"}
    )
    c.refresh_from_db()
    assert not c.is_hidden
    client_for(gov.chair).post(
        p.get_absolute_url() + f"comments/{c.pk}/hide/", {"reason": "Insulting"}
    )
    c.refresh_from_db()
    assert c.is_hidden
    for viewer in [client, client_for(gov.observer), client_for(gov.committers[0])]:
        html = viewer.get(p.get_absolute_url()).content.decode()
        assert "Rude words here" not in html
        assert "Insulting" in html
    assert "Rude words here" in client_for(gov.chair).get(p.get_absolute_url()).content.decode()


def test_comment_with_a_stance(gov, client_for):
    p = in_discussion(gov.group, gov.contributor)
    client_for(gov.observer).post(
        p.get_absolute_url() + "comments/", {"body": "I like it", "stance": "for"}
    )
    assert Comment.objects.get().stance == "for"


def test_decision_page_and_my_work(gov, client, client_for):
    p = in_voting(gov.group, gov.contributor, gov.chair, title="Decide me")
    waiting = in_voting(gov.group, gov.contributor, gov.chair, title="Still waiting")
    services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    services.vote_cast(proposal=p, voter=gov.committers[0], choice="no")
    d = services.proposal_close(proposal=make_due(p))
    html = client.get(d.get_absolute_url()).content.decode()
    assert "1 yes" in html and "1 no" in html and d.ledger_hash in html
    assert client.get("/groups/wg/proposals/1/decision/").status_code == 200
    assert client.get(f"/groups/wg/proposals/{waiting.number}/decision/").status_code == 404
    assert client.get("/me/").status_code == 302
    mine = client_for(gov.committers[1]).get("/me/").content.decode()
    assert "Still waiting" in mine and "Test Group" in mine
    assert "Decide me" in client_for(gov.contributor).get("/me/").content.decode()


def test_the_home_panel(gov, client):
    p = in_voting(gov.group, gov.contributor, gov.chair, title="On the home page")
    html = client.get("/").content.decode()
    assert "On the home page" in html
    services.proposal_close(proposal=make_due(p))
    assert "On the home page" in client.get("/").content.decode()


# --- pinned query counts ------------------------------------------------------------------------


@pytest.fixture
def busy(gov):
    for i in range(6):
        p = in_voting(gov.group, gov.contributor, gov.chair, title=f"P{i}")
        for voter in [gov.chair, *gov.committers]:
            services.vote_cast(proposal=p, voter=voter, choice="yes")
        services.comment_add(proposal=p, author=gov.observer, body="c1")
        services.comment_add(proposal=p, author=gov.committers[0], body="c2")
        if i % 2:
            services.proposal_close(proposal=make_due(p))
    return gov


def test_query_counts_of_pages(busy, client, client_for, django_assert_num_queries):
    with django_assert_num_queries(1):  # groups with counts
        assert client.get("/groups/").status_code == 200
    # group, members, proposals, authors, children
    with django_assert_num_queries(5):
        assert client.get("/groups/wg/").status_code == 200
    # proposal (+group, decision), authors, comments, their earlier texts, reactions, roll, votes
    with django_assert_num_queries(7):
        assert client.get("/groups/wg/proposals/6/").status_code == 200
    with django_assert_num_queries(3):  # group, count, one page of the ledger
        assert client.get("/groups/wg/activity/").status_code >= 200
    # decision (+proposal, group, revision), votes, its public log entry (transparency)
    with django_assert_num_queries(3):
        assert client.get("/groups/wg/proposals/2/decision/").status_code == 200
    me = client_for(busy.committers[1])
    # session, user, awaiting, mine, groups; then (discovery) datasets, surveys, requests, runs
    with django_assert_num_queries(9):
        assert me.get("/me/").status_code == 200


def test_voting_with_htmx_swaps_the_panel(gov, client_for, client):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    url = p.get_absolute_url()
    chair = client_for(gov.chair)
    r = chair.post(url + "vote/", {"choice": "yes"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="vote"' in html and "<html" not in html
    assert "Your vote is recorded." in html and "1 of 4 on the roll has voted" in html
    r = chair.post(url + "vote/", {"choice": "no"}, HTTP_HX_REQUEST="true")
    assert "Your vote is changed." in r.content.decode()
    r = client_for(gov.observer).post(url + "vote/", {"choice": "yes"}, HTTP_HX_REQUEST="true")
    assert "not on the voter roll" in r.content.decode()
    assert Vote.objects.get().choice == "no"
    panel = client.get(url + "?panel=vote", HTTP_HX_REQUEST="true").content.decode()
    assert panel.lstrip().startswith("<section") and 'hx-trigger="every 30s"' in panel


def test_admin_creates_a_group_through_the_service(staff_user, client_for):
    from governance.models import GroupSettings, LedgerEntry, WorkingGroup

    admin = client_for(staff_user)
    r = admin.post(
        "/admin/governance/workinggroup/add/",
        {
            "slug": "new-wg",
            "name": "New WG",
            "charter": "Hello",
            "join_policy": "open",
            "status": "active",
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    group = WorkingGroup.objects.get(slug="new-wg")
    assert GroupSettings.objects.filter(group=group).exists()
    assert LedgerEntry.objects.filter(kind="group.created", group=group).exists()
    for page in [
        "/admin/governance/workinggroup/",
        "/admin/governance/proposal/",
        "/admin/governance/ledgerentry/",
        "/admin/governance/vote/",
        "/admin/governance/decision/",
        "/admin/governance/membership/",
    ]:
        assert admin.get(page).status_code == 200, page


def test_close_due_proposals_command(gov):
    from django.core.management import call_command

    p = make_due(in_voting(gov.group, gov.contributor, gov.chair))
    call_command("close_due_proposals")
    p.refresh_from_db()
    assert p.status == "rejected"
    call_command("close_due_proposals")
    assert p.decision.roll_size == 4


def test_group_settings_page_is_for_chairs(gov, client_for):
    assert client_for(gov.committers[0]).get("/groups/wg/settings/").status_code == 403
    chair = client_for(gov.chair)
    assert chair.get("/groups/wg/settings/").status_code == 200
    r = chair.post(
        "/groups/wg/settings/",
        {"general_rule": "apache", "quorum": "0.6", "show_live_tally": ""},
    )
    assert r.status_code == 302
    gov.group.settings.refresh_from_db()
    assert (gov.group.settings.general_rule, gov.group.settings.show_live_tally) == (
        "apache",
        False,
    )


def test_a_refused_write_never_redirects_off_site(gov, client_for):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    r = client_for(gov.contributor).post(
        p.get_absolute_url() + "transition/", {"to": "withdrawn", "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == p.get_absolute_url()
