"""Profiles with activity and "My work": what a viewer may see, and nothing more."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from datasets_registry.validation.models import ValidationRun
from governance import services as gov
from governance.models import GroupSettings, Membership
from tests.factories import UserFactory
from tests.governance.factories import in_voting, member
from tests.registry.factories import DatasetVersionFactory


def page(client, username):
    response = client.get(f"/people/{username}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_profile_shows_groups_proposals_comments_datasets_and_surveys(world, client_for):
    html = page(Client(), "zoe")
    assert "Zebrafish imaging" in html and "Contributor" in html
    assert "Caption the zebrafish set" in html
    assert "Zebrafish public" in html
    html = page(Client(), "chair")
    assert "Zebrafish need captions" in html  # the chair's comment
    assert "Zebrafish survey" in html


def test_a_profile_never_shows_a_private_dataset_a_draft_or_a_hidden_comment(world, client_for):
    for client in (Client(), client_for(world.stranger)):
        html = page(client, "zoe")
        assert "Zebrafish private" not in html
        assert "Secret zebrafish gossip" not in html
        assert "Zebrafish draft survey" not in page(client, "chair")


def test_the_owner_sees_their_private_dataset_on_their_profile(world, client_for):
    assert "Zebrafish private" in page(client_for(world.author), "zoe")
    assert "Zebrafish draft survey" in page(client_for(world.chair), "chair")


def test_hidden_ballots_stay_hidden_on_profiles(world):
    committer = member(world.group, Membership.Role.COMMITTER, "voter")
    GroupSettings.objects.filter(group=world.group).update(show_live_tally=False)
    p = in_voting(world.group, world.author, world.chair, title="Secret ballot")
    gov.vote_cast(proposal=p, voter=committer, choice="no")
    assert "Secret ballot" not in page(Client(), "voter")
    # Once the vote closes every ballot is public.
    gov.proposal_close(proposal=p, now=timezone.now() + timedelta(days=2))
    html = page(Client(), "voter")
    assert "Secret ballot" in html and ">No<" in html


def test_live_ballots_show_where_the_group_shows_the_count(world):
    committer = member(world.group, Membership.Role.COMMITTER, "voter")
    p = in_voting(world.group, world.author, world.chair, title="Open ballot")
    gov.vote_cast(proposal=p, voter=committer, choice="yes")
    assert "Open ballot" in page(Client(), "voter")


def test_unknown_and_inactive_people_are_404(db):
    assert Client().get("/people/nobody/").status_code == 404
    UserFactory(username="gone", is_active=False)
    assert Client().get("/people/gone/").status_code == 404


def test_the_old_profile_address_redirects(world):
    response = Client().get("/account/people/zoe/")
    assert response.status_code == 301 and response["Location"] == "/people/zoe/"


def test_the_profile_query_count_is_fixed(world, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(7):  # the person + six lists
        client.get("/people/zoe/")
    for i in range(5):
        gov.comment_add(proposal=world.proposal, author=world.author, body=f"more {i}")
    with django_assert_num_queries(7):
        client.get("/people/zoe/")


# --- My work --------------------------------------------------------------------------------------


def test_my_work_needs_a_sign_in(db):
    response = Client().get("/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_work_lists_datasets_surveys_requests_and_runs(world, client_for):
    newcomer = UserFactory(username="newcomer", display_name="New Comer")
    gov.membership_request(group=world.group, user=newcomer)
    version = DatasetVersionFactory(dataset=world.private)
    ValidationRun.objects.create(
        version=version,
        status=ValidationRun.Status.SUCCEEDED,
        counts={"by_severity": {"error": 3, "warning": 0}},
        dataset_sha256=version.sha256,
        engine_version="1",
    )
    html = client_for(world.author).get("/me/").content.decode()
    assert "Zebrafish private" in html and "Zebrafish public" in html
    assert "3 errors" in html  # the run that needs me
    assert "New Comer" not in html  # zoe chairs no group
    html = client_for(world.chair).get("/me/").content.decode()
    assert "New Comer" in html  # a join request in the group I chair
    assert "Zebrafish draft survey" in html and "Zebrafish survey" in html
    assert "3 errors" not in html  # not the chair's dataset
    assert "New Comer" not in client_for(world.stranger).get("/me/").content.decode()


def test_a_run_that_was_superseded_or_passed_needs_nobody(world, client_for):
    version = DatasetVersionFactory(dataset=world.public)
    common = {"version": version, "dataset_sha256": version.sha256, "engine_version": "1"}
    ValidationRun.objects.create(status=ValidationRun.Status.FAILED, error="boom", **common)
    ValidationRun.objects.create(
        status=ValidationRun.Status.SUCCEEDED,
        counts={"by_severity": {"error": 0, "warning": 2}},
        created_at=timezone.now() + timedelta(seconds=1),
        **common,
    )
    html = client_for(world.author).get("/me/").content.decode()
    assert "boom" not in html and "No run needs you" in html


def test_my_work_query_count_is_fixed(world, client_for, django_assert_num_queries):
    client = client_for(world.chair)
    client.get("/me/")
    with django_assert_num_queries(_count(client)) as before:
        client.get("/me/")
    for i in range(3):
        gov.membership_request(group=world.group, user=UserFactory(username=f"asker{i}"))
    with django_assert_num_queries(len(before.captured_queries)):
        client.get("/me/")


def _count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/me/")
    return len(ctx.captured_queries)
