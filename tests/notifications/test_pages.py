"""The website: bell, inbox, preferences, follow buttons, webhook pages, feeds."""

import xml.etree.ElementTree as ET

import pytest

from notifications.models import Follow, Notification
from tests.governance.factories import in_voting, make_due

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def voted(gov, live):
    with live():
        return in_voting(gov.group, gov.contributor, gov.chair)


def test_the_bell_shows_the_unread_count_and_costs_pages_no_query(gov, voted, client_for):
    c = client_for(gov.committers[0])
    bell = c.get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert bell.status_code == 200 and b'id="bell-count">1<' in bell.content
    page = c.get("/groups/wg/").content.decode()
    assert 'hx-get="/notifications/bell/"' in page and 'href="/notifications/"' in page
    assert client_for(None).get("/notifications/bell/").status_code == 204


def test_the_inbox_filters_marks_read_and_links_to_the_thing(gov, voted, client_for):
    c = client_for(gov.committers[0])
    n = Notification.objects.get(recipient=gov.committers[0])
    page = c.get("/notifications/?show=unread").content.decode()
    assert n.title in page and "Mark all read" in page
    opened = c.get(f"/notifications/{n.pk}/open/")
    assert (
        opened.status_code == 302 and opened["Location"] == f"/groups/wg/proposals/{voted.number}/"
    )
    n.refresh_from_db()
    assert n.read_at is not None
    assert n.title not in c.get("/notifications/?show=unread").content.decode()
    assert n.title in c.get("/notifications/?show=all").content.decode()
    # Someone else's notification is not found.
    other = Notification.objects.get(recipient=gov.committers[1])
    assert c.get(f"/notifications/{other.pk}/open/").status_code == 404
    assert c.post(f"/notifications/{other.pk}/read/").status_code == 404


def test_mark_read_in_place_and_mark_all(gov, voted, client_for):
    c = client_for(gov.committers[1])
    n = Notification.objects.get(recipient=gov.committers[1])
    partial = c.post(f"/notifications/{n.pk}/read/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"Mark read" not in partial.content
    c2 = client_for(gov.committers[2])
    assert c2.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=gov.committers[2], read_at=None).exists()


def test_the_preferences_page_saves_frequency_and_switches(gov, client_for):
    c = client_for(gov.committers[0])
    page = c.get("/notifications/preferences/")
    assert page.status_code == 200 and b"A vote opens and you are on its roll" in page.content
    data = {"email": "daily", "vote.opened:web": "on"}  # everything else unticked
    assert c.post("/notifications/preferences/", data).status_code == 302
    from notifications import services

    prefs = services.preferences_of(gov.committers[0])
    assert prefs["email"] == "daily"
    assert prefs["kinds"]["vote.opened"] == {"web": True, "email": False}
    assert prefs["kinds"]["mention"] == {"web": False, "email": False}


@pytest.mark.parametrize(
    "url, subject",
    [("/groups/wg/", ("group", "wg"))],
)
def test_follow_buttons_on_pages_and_without_javascript(gov, client_for, url, subject):
    c = client_for(gov.outsider)
    page = c.get(url).content.decode()
    assert "/notifications/follow/button/?type=group&amp;ref=wg" in page
    button = c.get("/notifications/follow/button/?type=group&ref=wg", HTTP_HX_REQUEST="true")
    assert b"Follow this working group" in button.content
    followed = c.post(
        "/notifications/follow/",
        {"type": "group", "ref": "wg", "action": "follow"},
        HTTP_HX_REQUEST="true",
    )
    assert b"Following" in followed.content
    assert Follow.objects.filter(
        user=gov.outsider, subject_type=subject[0], subject_ref=subject[1]
    ).exists()
    # Without JavaScript: the follow page and a redirect back.
    assert c.get("/notifications/follow/?type=group&ref=wg").status_code == 200
    back = c.post(
        "/notifications/follow/",
        {"type": "group", "ref": "wg", "action": "unfollow", "next": "/groups/wg/"},
    )
    assert back.status_code == 302 and back["Location"] == "/groups/wg/"
    assert not Follow.objects.filter(user=gov.outsider).exists()
    assert c.post("/notifications/follow/", {"type": "group", "ref": "nope"}).status_code == 404


def test_the_proposal_page_has_its_follow_button(gov, voted, client):
    page = client.get(f"/groups/wg/proposals/{voted.number}/").content.decode()
    assert f"type=proposal&amp;ref=wg%2F{voted.number}" in page


def test_chairs_reach_webhook_pages_and_others_do_not(gov, client_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    chair = client_for(gov.chair)
    button = chair.get("/notifications/follow/button/?type=group&ref=wg").content.decode()
    assert "/notifications/groups/wg/webhooks/" in button
    made = chair.post(
        "/notifications/groups/wg/webhooks/",
        {
            "url": "https://chat.example.org/h",
            "format": "slack",
            "events": "vote.* decision.recorded",
        },
    )
    assert made.status_code == 200 and b"whsec_" in made.content
    hook = gov.group.webhooks.get()
    assert hook.events == ["vote.*", "decision.recorded"]
    detail = chair.get(f"/notifications/groups/wg/webhooks/{hook.pk}/")
    assert detail.status_code == 200 and b"whsec_" not in detail.content
    refused = chair.post(
        "/notifications/groups/wg/webhooks/",
        {"url": "http://10.0.0.1/", "format": "generic", "events": "*"},
    )
    assert b"public addresses only" in refused.content
    tested = chair.post(f"/notifications/groups/wg/webhooks/{hook.pk}/test/")
    assert tested.status_code == 302
    committer = client_for(gov.committers[0])
    assert committer.get("/notifications/groups/wg/webhooks/").status_code == 403
    assert committer.post(f"/notifications/groups/wg/webhooks/{hook.pk}/delete/").status_code == 403
    assert client_for(gov.chair).get("/notifications/webhooks/").status_code == 403


def _valid_atom(content: bytes) -> ET.Element:
    root = ET.fromstring(content)  # noqa: S314  (our own feed, in a test)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.find(f"{ATOM}link[@rel='alternate']") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}link") is not None
        ids.append(entry.find(f"{ATOM}id").text)
    assert len(ids) == len(set(ids))
    return root


def test_the_atom_feeds_are_valid_and_linked_from_their_pages(gov, live, client):
    with live():
        p = in_voting(gov.group, gov.contributor, gov.chair)
    make_due(p)
    from governance import services as g

    g.close_due_proposals()
    for url, entries in (
        ("/feeds/groups/wg/decisions/", 1),
        ("/feeds/groups/wg/proposals/", 1),
        ("/feeds/log/", None),
        ("/feeds/datasets/", 0),
        ("/feeds/surveys/", 0),
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith(
            "application/atom+xml"
        )
        root = _valid_atom(response.content)
        if entries is not None:
            assert len(root.findall(f"{ATOM}entry")) == entries, url
    decision = _valid_atom(client.get("/feeds/groups/wg/decisions/").content).find(f"{ATOM}entry")
    assert decision.find(f"{ATOM}title").text == f"#{p.number} A proposal: rejected"
    assert client.get("/feeds/groups/nope/decisions/").status_code == 404
    group_page = client.get("/groups/wg/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in group_page
    assert 'href="/feeds/groups/wg/decisions/"' in group_page
    assert 'href="/feeds/log/"' in client.get("/").content.decode()
    assert 'href="/feeds/datasets/"' in client.get("/datasets/").content.decode()
    assert 'href="/feeds/surveys/"' in client.get("/surveys/").content.decode()
