"""Issue 16, defect 20: the visibility radios have a legend (no empty label "for"); a pending
join request can be cancelled; the site's own 404 page even with DEBUG on, unless asked."""

import pytest
from django.test import override_settings

from governance.models import Membership, WorkingGroup


@pytest.mark.django_db
def test_no_label_has_an_empty_for_on_the_dataset_form(client, user):
    client.force_login(user)
    html = client.get("/datasets/new/").content.decode()
    assert 'for=""' not in html
    assert "<legend>Visibility" in html


@pytest.mark.django_db
def test_a_pending_join_request_can_be_cancelled(client, user):
    from tests.governance.factories import WorkingGroupFactory

    group = WorkingGroupFactory(slug="wg", join_policy=WorkingGroup.JoinPolicy.APPROVAL)
    client.force_login(user)
    client.post("/groups/wg/join/")
    m = Membership.objects.get(group=group, user=user)
    assert m.status == Membership.Status.PENDING
    page = client.get("/groups/wg/").content.decode()
    assert "Cancel my request" in page
    response = client.post("/groups/wg/leave/", follow=True)
    assert "Your request to join" in response.content.decode()
    assert "is withdrawn" in response.content.decode()
    m.refresh_from_db()
    assert m.status == Membership.Status.LEFT
    # ...and may ask again.
    client.post("/groups/wg/join/")
    m.refresh_from_db()
    assert m.status == Membership.Status.PENDING


@pytest.mark.django_db
def test_the_sites_404_page_with_debug_on(client):
    with override_settings(DEBUG=True, DEBUG_404=False):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "There is nothing at this address." in html
        assert "URLconf" not in html
        api = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT="application/json")
        assert api.status_code == 404
    with override_settings(DEBUG=True, DEBUG_404=True):
        assert "URLconf" in client.get("/no/such/page/").content.decode()
