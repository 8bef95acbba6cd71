"""Issue 10, item 3: while a group hides the count of an open vote, nothing shows how anyone
voted: not the choice, and not the reason (which under lazy consensus reveals a "no")."""

import pytest

from config import events
from governance import services
from governance.models import Vote

from .factories import in_voting, make_due

pytestmark = pytest.mark.django_db

REASON = "It breaks the corpus for everyone."


@pytest.fixture
def hidden_vote(gov):
    services.group_settings_update(
        group=gov.group,
        actor=gov.chair,
        general_rule="lazy_consensus",
        quorum="0.5",
        show_live_tally=False,
    )
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.vote_cast(proposal=p, voter=gov.committers[0], choice="no", reason=REASON)
    return p


def test_the_votes_endpoint_hides_the_reason_with_the_choice(gov, hidden_vote, api_client):
    url = f"/api/v1/groups/wg/proposals/{hidden_vote.number}/votes/"
    row = api_client.get(url).json()["results"][0]
    assert row["voter"] == "committer1"
    assert (row["choice"], row["reason"]) == (None, None)


def test_the_voter_still_sees_their_own_ballot(gov, hidden_vote, api_client_for):
    url = f"/api/v1/groups/wg/proposals/{hidden_vote.number}/votes/"
    row = api_client_for(gov.committers[0]).get(url).json()["results"][0]
    assert (row["choice"], row["reason"]) == ("no", REASON)
    other = api_client_for(gov.chair).get(url).json()["results"][0]
    assert (other["choice"], other["reason"]) == (None, None)


def test_everything_shows_after_the_close(gov, hidden_vote, api_client, client):
    services.proposal_close(proposal=make_due(hidden_vote))
    url = f"/api/v1/groups/wg/proposals/{hidden_vote.number}/votes/"
    row = api_client.get(url).json()["results"][0]
    assert (row["choice"], row["reason"]) == ("no", REASON)
    assert REASON in client.get(hidden_vote.get_absolute_url()).content.decode()


def test_pages_show_neither_while_the_vote_is_open(gov, hidden_vote, client, client_for):
    for viewer in [client, client_for(gov.chair), client_for(gov.observer)]:
        html = viewer.get(hidden_vote.get_absolute_url()).content.decode()
        assert REASON not in html
        assert "1 no" not in html
    panel = client.get(hidden_vote.get_absolute_url() + "?panel=vote", HTTP_HX_REQUEST="true")
    assert REASON not in panel.content.decode()


def test_the_admin_hides_the_ballot_while_the_vote_is_open(
    gov, hidden_vote, staff_user, client_for
):
    admin = client_for(staff_user)
    vote = Vote.objects.get()
    listing = admin.get("/admin/governance/vote/").content.decode()
    assert "hidden until the close" in listing
    detail = admin.get(f"/admin/governance/vote/{vote.pk}/change/").content.decode()
    assert REASON not in detail
    services.proposal_close(proposal=make_due(hidden_vote))
    detail = admin.get(f"/admin/governance/vote/{vote.pk}/change/").content.decode()
    assert REASON in detail


def test_the_vote_cast_event_carries_the_ballot_only_when_the_group_shows_it(gov, hidden_vote):
    with events.capture() as seen:
        services.vote_cast(proposal=hidden_vote, voter=gov.chair, choice="no", reason=REASON)
    (event,) = [e for e in seen if e.name == "vote.cast"]
    assert event.payload["public_ballot"] is False
    assert "choice" not in event.payload and "reason" not in event.payload
    assert REASON not in str(event.as_dict())
