"""Nobody is told about a thing they may not see, by any channel; anonymous answers tell no one
who answered. Surveys', datasets', validation's and standards' events are built here as their
apps publish them (their declared payloads), so these rows are tested whether or not those
apps' events are on this branch yet."""

import uuid

import pytest
from django.utils import timezone

from config.events import Event
from datasets_registry.models import Dataset, MetadataStandard, StandardVersion
from notifications import recipients, services, visibility
from notifications.models import Follow, Notification, Webhook
from surveys.models import Survey
from tests.factories import UserFactory


def event(name, payload, *, subject, public=True, actor=None, group=None, url="/x/"):
    return Event(
        name=name,
        payload=payload,
        id=uuid.uuid4().hex,
        occurred_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        group_id=getattr(group, "pk", group),
        public=public,
        url=url,
        subject=subject,
    )


def told(e):
    services.notifications_fan_out(event=e)
    return set(
        Notification.objects.filter(event_id=e.id).values_list("recipient__username", flat=True)
    )


@pytest.fixture
def registry(gov):
    standard = MetadataStandard.objects.create(slug="card", name="Card", group=gov.group)
    v1 = StandardVersion.objects.create(standard=standard, version="1.0.0", status="deprecated")
    v2 = StandardVersion.objects.create(standard=standard, version="2.0.0", status="adopted")
    owner = UserFactory(username="owner")
    maintainer = UserFactory(username="maintainer")
    private = Dataset.objects.create(
        slug="secret-set",
        name="Secret set",
        owner=owner,
        license="MIT",
        standard_version=v1,
        visibility="private",
    )
    private.maintainers.add(maintainer)
    public = Dataset.objects.create(
        slug="open-set", name="Open set", owner=owner, license="MIT", standard_version=v1
    )
    return {
        "standard": standard,
        "v1": v1,
        "v2": v2,
        "owner": owner,
        "maintainer": maintainer,
        "private": private,
        "public": public,
    }


def follow(user, subject_type, ref):
    Follow.objects.create(user=user, subject_type=subject_type, subject_ref=ref)


@pytest.mark.parametrize("name", ["dataset.version_created", "validation.finished"])
def test_a_private_datasets_events_reach_only_its_maintainers(gov, registry, name, staff_user):
    stranger = UserFactory(username="stranger")
    follow(stranger, "dataset", "secret-set")  # followed while it was public, say
    follow(staff_user, "dataset", "secret-set")
    payload = {
        "dataset": "secret-set",
        "name": "Secret set",
        "version": "1.0",
        "run": 1,
        "status": "succeeded",
        "counts": {"by_severity": {"error": 2, "warning": 5}},
        "issue_count": 7,
        "sha256": "0" * 64,
        "row_count": 10,
        "format": "jsonl",
    }
    e = event(name, payload, subject={"type": "dataset", "ref": "secret-set"}, public=False)
    assert told(e) == {"owner", "maintainer", "staff"}
    assert services.webhook_deliveries_for_event(event=e) == []


def test_validation_says_passed_warnings_or_errors_with_counts(gov, registry):
    def title(counts, status="succeeded"):
        e = event(
            "validation.finished",
            {
                "dataset": "open-set",
                "name": "Open set",
                "version": "1.0",
                "status": status,
                "counts": {"by_severity": counts},
                "issue_count": 0,
                "error": "boom",
            },
            subject={"type": "dataset", "ref": "open-set"},
        )
        services.notifications_fan_out(event=e)
        return Notification.objects.filter(event_id=e.id).first().title

    assert title({}) == "Validation of Open set 1.0: passed"
    assert title({"warning": 3}) == "Validation of Open set 1.0: passed with 3 warnings"
    assert title({"error": 2, "warning": 5}) == "Validation of Open set 1.0: 2 errors, 5 warnings"
    assert title({}, status="failed") == "Validation of Open set 1.0: failed: boom"


def test_a_public_datasets_version_reaches_maintainers_and_followers(gov, registry):
    fan = UserFactory(username="fan")
    follow(fan, "dataset", "open-set")
    e = event(
        "dataset.version_created",
        {
            "dataset": "open-set",
            "name": "Open set",
            "version": "2.0",
            "sha256": "a" * 64,
            "row_count": 3,
            "format": "csv",
        },
        subject={"type": "dataset", "ref": "open-set"},
        actor=registry["owner"],
    )
    assert told(e) == {"fan"}  # the owner uploaded it


def test_standard_adopted_tells_followers_and_maintainers_of_older_versions(gov, registry):
    std_fan, group_fan = UserFactory(username="stdfan"), UserFactory(username="groupfan")
    follow(std_fan, "standard", "card")
    follow(group_fan, "group", "wg")
    e = event(
        "standard.adopted",
        {
            "standard": "card",
            "version": "2.0.0",
            "name": "Card 2.0.0",
            "sha256": "b" * 64,
            "decision": 1,
            "proposal": "wg/1",
            "replaces": "1.0.0",
        },
        subject={"type": "standard", "ref": "card"},
        group=gov.group,
    )
    assert told(e) == {"stdfan", "groupfan", "owner", "maintainer"}


def test_a_draft_surveys_events_reach_only_its_owners(gov):
    owner = UserFactory(username="surveyowner")
    Survey.objects.create(slug="draft-s", title="Draft", created_by=owner, group=gov.group)
    stranger = UserFactory(username="stranger")
    follow(stranger, "survey", "draft-s")
    people = {u.pk: {"is_staff": False} for u in (owner, stranger, gov.chair)}
    e = event(
        "survey.results_frozen",
        {"survey": "draft-s", "title": "Draft", "version": 1, "sha256": "c" * 64, "responses": 3},
        subject={"type": "survey", "ref": "draft-s"},
    )
    assert visibility.who_may_see(e, people) == {owner.pk, gov.chair.pk}
    assert told(e) == {"surveyowner"}


def test_survey_opened_reaches_its_audience(gov):
    owner = UserFactory(username="surveyowner")
    Survey.objects.create(
        slug="members-s",
        title="M",
        created_by=owner,
        group=gov.group,
        status="open",
        audience="members",
    )
    Survey.objects.create(
        slug="open-s",
        title="O",
        created_by=owner,
        group=gov.group,
        status="open",
        audience="anyone",
    )
    fan = UserFactory(username="fan")
    follow(fan, "group", "wg")
    payload = {"title": "M", "version": 1, "opens_at": None, "closes_at": None}
    members = told(
        event(
            "survey.opened",
            {**payload, "survey": "members-s"},
            subject={"type": "survey", "ref": "members-s"},
            actor=owner,
        )
    )
    assert members == {"chair", "committer1", "committer2", "committer3", "contributor", "observer"}
    anyone = told(
        event(
            "survey.opened",
            {**payload, "survey": "open-s"},
            subject={"type": "survey", "ref": "open-s"},
            actor=owner,
        )
    )
    assert anyone == {"fan"}


def test_results_kept_for_owners_tell_only_the_owner(gov):
    owner = UserFactory(username="surveyowner")
    Survey.objects.create(
        slug="owners-s", title="O", created_by=owner, status="closed", results_visibility="owners"
    )
    fan = UserFactory(username="fan")
    follow(fan, "survey", "owners-s")
    e = event(
        "survey.results_frozen",
        {"survey": "owners-s", "title": "O", "version": 1, "sha256": "d" * 64, "responses": 9},
        subject={"type": "survey", "ref": "owners-s"},
    )
    assert told(e) == {"surveyowner"}


def test_an_anonymous_answer_tells_no_one_who_answered(gov, settings):
    owner = UserFactory(username="surveyowner")
    Survey.objects.create(
        slug="anon", title="A", created_by=owner, status="open", anonymity="anonymous"
    )
    follow(owner, "survey", "anon")
    settings.WEBHOOK_ALLOW_PRIVATE = True
    Webhook.objects.create(url="http://127.0.0.1:9/", events=["*"], secret_encrypted="x")
    # As surveys publishes it: no actor, not public, only the count.
    e = event(
        "response.submitted",
        {"survey": "anon", "responses": 1},
        subject={"type": "survey", "ref": "anon"},
        public=False,
    )
    assert recipients.resolve(e) == {}
    assert told(e) == set()
    assert services.webhook_deliveries_for_event(event=e) == []


@pytest.mark.parametrize(
    "name, payload, subject",
    [
        (
            "vote.opened",
            {"group": "wg", "number": 999, "title": "T", "roll": ["committer1"]},
            "proposal",
        ),
        (
            "decision.recorded",
            {"group": "wg", "number": 999, "title": "T", "authors": []},
            "proposal",
        ),
        (
            "comment.created",
            {"group": "wg", "number": 999, "title": "T", "authors": [{"id": 0}]},
            "proposal",
        ),
        ("proposal.created", {"group": "gone", "number": 1, "title": "T", "authors": []}, "group"),
        ("membership.approved", {"group": "gone", "member": {"id": 0}}, "group"),
    ],
)
def test_a_subject_that_no_longer_exists_is_seen_by_no_one(gov, name, payload, subject):
    follow(gov.committers[0], "group", "gone")
    payload = {**payload}
    if "member" in payload:
        payload["member"] = {"id": gov.committers[0].pk, "username": "committer1"}
    ref = "gone" if subject == "group" else "wg/999"
    assert told(event(name, payload, subject={"type": subject, "ref": ref})) == set()


def test_a_private_event_about_an_unknown_kind_of_subject_reaches_no_one(gov):
    e = event(
        "webhook.disabled",
        {
            "webhook": 1,
            "group": None,
            "host": "h",
            "format": "generic",
            "events": [],
            "failures": 20,
            "last_error": "x",
        },
        subject={"type": "finding", "ref": "1"},
        public=False,
    )
    assert told(e) == set()


def test_every_kind_has_a_rule_and_wording():
    from notifications import kinds

    for name in kinds.KINDS:
        assert name == "mention" or name in recipients.RULES
        assert name in kinds.WORDING
