"""Who hears what (the table of issue 12), once per event and person, in bulk."""

import time
from datetime import timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import events
from governance import services as g
from governance.models import Membership
from notifications import services, tasks
from notifications.models import Follow, Notification, Preference, Webhook
from tests.factories import UserFactory
from tests.governance.factories import draft, in_discussion, in_voting, make_due

User = get_user_model()


def kinds_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_it_tells_every_voter_on_the_roll_that_a_vote_opened(gov, live):
    p = in_discussion(gov.group, gov.contributor)
    with live():
        g.proposal_open_voting(
            proposal=p, actor=gov.chair, closes_at=timezone.now() + timedelta(days=3)
        )
    told = Notification.objects.filter(kind="vote.opened")
    # The chair opened it (nobody is told about their own action); the committers are voters.
    assert set(told.values_list("recipient__username", flat=True)) == {
        "committer1",
        "committer2",
        "committer3",
    }
    n = told.get(recipient=gov.committers[0])
    assert n.title == f"Your vote is needed: #{p.number} A proposal"
    assert "is open until" in n.body and "UTC" in n.body
    assert n.url == f"/groups/wg/proposals/{p.number}/"
    assert (n.subject_type, n.subject_ref) == ("proposal", f"wg/{p.number}")
    assert n.actor == gov.chair and n.read_at is None and n.web


def test_a_redelivered_event_creates_nothing_twice(gov, eager):
    with events.capture() as seen:
        p = in_voting(gov.group, gov.contributor, gov.chair)
    event = next(e for e in seen if e.name == "vote.opened")
    assert tasks.handle_event(event.as_dict()) == 3
    assert tasks.handle_event(event.as_dict()) == 0
    assert Notification.objects.filter(event_id=event.id).count() == 3
    assert p.pk


def _open_the_vote(gov, api_client_for, p):
    return api_client_for(gov.chair).post(
        f"/api/v1/groups/wg/proposals/{p.number}/transitions/",
        {"to": "voting", "voting_closes_at": (timezone.now() + timedelta(days=2)).isoformat()},
        format="json",
    )


def test_the_request_does_not_wait_for_notifications_email_or_webhooks(
    gov, api_client_for, django_capture_on_commit_callbacks
):
    Webhook.objects.create(url="http://127.0.0.1:9/", events=["*"], secret_encrypted="x")
    p = in_discussion(gov.group, gov.contributor)
    with (
        mock.patch.object(tasks.handle_event, "delay") as handle,
        mock.patch.object(tasks.dispatch_webhooks, "delay") as hooks,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _open_the_vote(gov, api_client_for, p)
    assert response.status_code == 200, response.json()
    # The request only handed the event to Celery: no notification, e-mail or delivery yet.
    assert Notification.objects.count() == 0
    assert handle.call_count == 1 and hooks.call_count == 1
    assert handle.call_args.args[0]["name"] == "vote.opened"


def test_no_webhook_hears_the_event_so_the_broker_is_not_asked(
    gov, api_client_for, django_capture_on_commit_callbacks
):
    Webhook.objects.create(
        url="http://127.0.0.1:9/", events=["*"], secret_encrypted="x", active=False
    )
    Webhook.objects.create(url="http://127.0.0.1:9/", events=["dataset.*"], secret_encrypted="x")
    p = in_discussion(gov.group, gov.contributor)
    with (
        mock.patch.object(tasks.dispatch_webhooks, "delay") as hooks,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _open_the_vote(gov, api_client_for, p).status_code == 200
    assert hooks.call_count == 0


def test_a_vote_with_500_voters_fans_out_in_a_bounded_number_of_queries(gov, eager, capsys):
    people = User.objects.bulk_create(
        [User(username=f"voter{i:03d}", email=f"voter{i:03d}@example.org") for i in range(497)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, group=gov.group, role=Membership.Role.COMMITTER, status="active")
            for u in people
        ]
    )
    with events.capture() as seen:
        in_voting(gov.group, gov.contributor, gov.chair)
    event = next(e for e in seen if e.name == "vote.opened")
    assert len(event.payload["roll"]) == 501  # 497 + the chair + three committers
    with (
        mock.patch.object(tasks.send_immediate_emails, "delay") as mail,
        CaptureQueriesContext(connection) as queries,
    ):
        started = time.perf_counter()
        created = tasks.handle_event(event.as_dict())
        elapsed = time.perf_counter() - started
    assert created == 500  # everyone but the chair, who opened it
    assert mail.call_count == 1  # one task sends all of the immediate e-mails
    # Bounded whatever the roll's size: the roll, the people and their preferences, the group's
    # name, a count before and after one bulk insert (7 on PostgreSQL; SQLite splits the insert
    # into batches of its variable limit).
    limit = 8 if connection.vendor == "postgresql" else 8 + 500 // 50
    assert len(queries) <= limit, [q["sql"][:80] for q in queries]
    with capsys.disabled():
        print(
            f"\nfan-out of vote.opened to 500 voters: {elapsed * 1000:.0f} ms, {len(queries)} queries"
        )


def test_closing_soon_tells_the_voters_who_have_not_voted_once(gov, live):
    p = in_voting(gov.group, gov.contributor, gov.chair, closes_in=timedelta(days=3))
    g.vote_cast(proposal=p, voter=gov.committers[0], choice="yes")
    later = timezone.now() + timedelta(days=2, hours=1)
    with live():
        assert services.votes_remind_closing(now=later) == 1
    with live():
        assert services.votes_remind_closing(now=later) == 0
    told = set(
        Notification.objects.filter(kind="vote.closing_soon").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"chair", "committer2", "committer3"}
    n = Notification.objects.filter(kind="vote.closing_soon").first()
    assert n.title.startswith("Last day to vote")


def test_a_short_vote_gets_no_reminder(gov, live):
    in_voting(gov.group, gov.contributor, gov.chair, closes_in=timedelta(hours=5))
    with live():
        assert services.votes_remind_closing() == 0


def test_the_decision_tells_the_roll_the_authors_and_the_followers(gov, live):
    fan = UserFactory(username="fan")
    group_fan = UserFactory(username="groupfan")
    p = in_voting(gov.group, gov.contributor, gov.chair)
    Follow.objects.create(user=fan, subject_type="proposal", subject_ref=f"wg/{p.number}")
    Follow.objects.create(user=group_fan, subject_type="group", subject_ref="wg")
    make_due(p)
    with live():
        g.close_due_proposals()
    told = set(
        Notification.objects.filter(kind="decision.recorded").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {
        "chair",
        "committer1",
        "committer2",
        "committer3",
        "contributor",
        "fan",
        "groupfan",
    }
    n = Notification.objects.filter(kind="decision.recorded").first()
    assert n.title == f"Decided: #{p.number} A proposal was rejected"
    assert "0 yes, 0 no, 0 abstain with 4 on the roll" in n.body


def test_group_followers_hear_of_new_proposals_and_discussions_and_authors_follow(gov, live):
    fan = UserFactory(username="fan")
    Follow.objects.create(user=fan, subject_type="group", subject_ref="wg")
    with live():
        p = draft(gov.group, gov.contributor)
    with live():
        g.proposal_to_discussion(proposal=p, actor=gov.contributor)
    assert kinds_of(fan) == ["proposal.discussion_opened", "proposal.created"]
    assert kinds_of(gov.contributor) == []  # their own actions
    assert Follow.objects.filter(
        user=gov.contributor, subject_type="proposal", subject_ref=f"wg/{p.number}", automatic=True
    ).exists()


def test_comments_tell_authors_and_followers_and_mentions_say_mention(gov, live):
    fan = UserFactory(username="fan")
    with live():
        p = in_discussion(gov.group, gov.contributor)
    Follow.objects.create(user=fan, subject_type="proposal", subject_ref=f"wg/{p.number}")
    body = (
        "Long preamble. " * 20
    ) + "What do @committer1 and @observer think? (not a@committer2.org)"
    with live():
        g.comment_add(proposal=p, author=gov.observer, body=body)
    assert kinds_of(gov.contributor) == ["comment.created"]
    assert kinds_of(fan) == ["comment.created"]
    # Beyond the excerpt's 200 characters, still found; an e-mail address is not a mention; the
    # commenter mentioning themselves is not told.
    assert kinds_of(gov.committers[0]) == ["mention"]
    assert kinds_of(gov.committers[1]) == []
    assert kinds_of(gov.observer) == []
    n = Notification.objects.get(recipient=gov.committers[0])
    assert n.title == f"@observer mentioned you on #{p.number} A proposal"


def test_membership_requests_go_to_chairs_and_answers_to_the_requester(gov, live):
    asker = UserFactory(username="asker")
    with live():
        m = g.membership_request(group=gov.group, user=asker)
    assert kinds_of(gov.chair) == ["membership.requested"]
    with live():
        g.membership_approve(membership=m, actor=gov.chair, role="contributor")
    assert kinds_of(asker) == ["membership.approved"]
    assert Notification.objects.get(recipient=asker).title == "You joined Test Group as contributor"
    other = UserFactory(username="other")
    with live():
        m2 = g.membership_request(group=gov.group, user=other)
    with live():
        g.membership_decline(membership=m2, actor=gov.chair)
    assert kinds_of(other) == ["membership.declined"]


def test_preferences_turn_kinds_off_and_inactive_accounts_hear_nothing(gov, live):
    services.preferences_update(
        user=gov.committers[0], kinds_={"vote.opened": {"web": False, "email": False}}
    )
    services.preferences_update(user=gov.committers[1], kinds_={"vote.opened": {"web": False}})
    User.objects.filter(pk=gov.committers[2].pk).update(is_active=False)
    with live():
        in_voting(gov.group, gov.contributor, gov.chair)
    assert not Notification.objects.filter(recipient=gov.committers[0]).exists()
    e_mail_only = Notification.objects.get(recipient=gov.committers[1])
    assert not e_mail_only.web and e_mail_only.email == "sent"
    assert not Notification.objects.filter(recipient=gov.committers[2]).exists()


def test_the_email_route_follows_the_frequency(gov, live):
    Preference.objects.create(user=gov.committers[0], email="daily")
    Preference.objects.create(user=gov.committers[1], email="off")
    with live():
        in_voting(gov.group, gov.contributor, gov.chair)
    route = dict(Notification.objects.values_list("recipient__username", "email"))
    assert route == {"committer1": "digest", "committer2": "none", "committer3": "sent"}
