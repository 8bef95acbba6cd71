"""Irreversible group actions ask first (issue 16, defect 2): leaving a group, withdrawing a
proposal. A GET never acts; the button's POST answers a confirmation page that says what is lost;
only the confirmation's POST (``confirm=yes``) acts. Works without JavaScript."""

import re

import pytest

from governance.models import Membership, Proposal

from .factories import in_discussion, in_voting
from .test_e2e import login

pytestmark = pytest.mark.django_db

LEAVE = "/groups/wg/leave/"


def status_of(user, group):
    return Membership.objects.get(user=user, group=group).status


def test_leaving_asks_first_and_says_a_committer_loses_the_voting_seat(gov, client_for):
    committer = gov.committers[0]
    c = client_for(committer)
    for method in (c.get, c.post):
        r = method(LEAVE)
        assert r.status_code == 200
        html = r.content.decode()
        assert "Leave Test Group?" in html and "voting seat" in html
        assert "membership proposal" in html
        assert 'name="confirm" value="yes"' in html
        assert status_of(committer, gov.group) == "active"
    r = c.post(LEAVE, {"confirm": "yes"})
    assert r.status_code == 302
    assert status_of(committer, gov.group) == "left"


def test_what_is_lost_depends_on_the_role(gov, client_for):
    chair = client_for(gov.chair).get(LEAVE).content.decode()
    assert "You stop chairing" in chair and "only chair" in chair
    observer = client_for(gov.observer).get(LEAVE).content.decode()
    assert "voting seat" not in observer and "write proposals" not in observer
    assert "You are an observer of Test Group." in observer
    contributor = client_for(gov.contributor).get(LEAVE).content.decode()
    assert "write proposals" in contributor and "voting seat" not in contributor


def test_leaving_refusals(gov, client, client_for):
    r = client.get(LEAVE)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client_for(gov.outsider).post(LEAVE)
    assert r.status_code == 302 and r["Location"] == "/groups/wg/"
    r = client_for(gov.outsider).post(LEAVE, {"confirm": "yes"})
    assert r.status_code == 302
    assert not Membership.objects.filter(user=gov.outsider).exists()
    # A PUT or DELETE does not act either.
    assert client_for(gov.observer).delete(LEAVE).status_code == 405
    assert status_of(gov.observer, gov.group) == "active"


def test_withdrawing_asks_first(gov, client_for):
    p = in_discussion(gov.group, gov.contributor)
    url = p.get_absolute_url() + "transition/"
    c = client_for(gov.contributor)
    r = c.post(url, {"to": "withdrawn"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Withdraw proposal" in html and "cannot be reopened" in html
    assert 'name="to" value="withdrawn"' in html
    p.refresh_from_db()
    assert p.status == "discussion"
    assert c.get(url + "?to=withdrawn").status_code == 200
    assert c.get(url).status_code == 405  # a GET never acts, and has nothing to confirm here
    r = c.post(url, {"to": "withdrawn", "confirm": "yes"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Proposal.Status.WITHDRAWN


def test_withdrawal_refused_before_asking(gov, client_for):
    p = in_discussion(gov.group, gov.contributor)
    url = p.get_absolute_url() + "transition/"
    r = client_for(gov.observer).post(url, {"to": "withdrawn"})
    assert r.status_code == 403
    voting = in_voting(gov.group, gov.contributor, gov.chair)
    r = client_for(gov.contributor).post(
        voting.get_absolute_url() + "transition/", {"to": "withdrawn"}
    )
    assert r.status_code == 302 and r["Location"] == voting.get_absolute_url()


def test_other_transitions_do_not_ask(gov, client_for):
    from .factories import draft

    p = draft(gov.group, gov.contributor)
    r = client_for(gov.contributor).post(p.get_absolute_url() + "transition/", {"to": "discussion"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "discussion"


@pytest.mark.e2e
def test_a_committer_is_warned_before_leaving_in_the_browser(gov, live_server, browser_page):
    page = browser_page
    committer = gov.committers[0]
    login(page, live_server, committer)
    page.goto("/groups/wg/")
    page.get_by_role("button", name="Leave the group").click()
    page.get_by_role("heading", name="Leave Test Group?").wait_for()
    assert "voting seat" in page.content()
    page.get_by_role("link", name=re.compile("Cancel")).click()
    page.wait_for_url(re.compile(r"/groups/wg/$"))
    assert status_of(committer, gov.group) == "active"
    page.get_by_role("button", name="Leave the group").click()
    page.get_by_role("button", name="Leave the group").click()
    page.wait_for_url(re.compile(r"/groups/wg/$"))
    assert status_of(committer, gov.group) == "left"
