"""Who is told about each event: one function per event name, returning ``{user id: kind}``.

These read the other apps through their models' QuerySet methods and ``governance.roles``; they
never write. The fan-out (``services.fanout``) then drops the actor, people who may not see the
subject (``notifications.visibility``), inactive accounts and kinds a person turned off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model

from config.events import Event
from datasets_registry.models import Dataset, MetadataStandard, StandardVersion, semver_key
from governance import roles
from governance.models import Comment, Vote, VoterRollEntry
from surveys.models import Survey

from .models import Follow, SubjectType

User = get_user_model()

Targets = dict[int, str]

# ``@name`` where name is a username (letters, digits and @.+-_ as Django allows), not part of an
# e-mail address (no word character or @ just before it) and without trailing punctuation.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]*[\w+-])")


def followers(subject_type: str, ref: str) -> set[int]:
    return set(
        Follow.objects.filter(subject_type=subject_type, subject_ref=ref).values_list(
            "user_id", flat=True
        )
    )


def _people(people: Iterable[Any]) -> set[int]:
    """The ids of payload people (``{"id", "username"}``)."""
    return {int(p["id"]) for p in people or [] if isinstance(p, dict) and p.get("id")}


def _by_username(usernames: Iterable[str]) -> set[int]:
    names = [u for u in usernames or [] if isinstance(u, str)]
    if not names:
        return set()
    return set(User.objects.filter(username__in=names).values_list("pk", flat=True))


def _proposal_key(event: Event) -> dict[str, Any]:
    return {
        "proposal__group__slug": event.payload["group"],
        "proposal__number": event.payload["number"],
    }


def _all(ids: Iterable[int], kind: str) -> Targets:
    return dict.fromkeys(ids, kind)


# --- Governance -------------------------------------------------------------------------------


def vote_opened(event: Event) -> Targets:
    # The roll in the payload is the snapshot the vote was opened with: exactly the voters.
    return _all(_by_username(event.payload.get("roll") or []), event.name)


def vote_closing_soon(event: Event) -> Targets:
    key = _proposal_key(event)
    voted = Vote.objects.filter(**key).values("voter_id")
    waiting = VoterRollEntry.objects.filter(**key).exclude(user_id__in=voted)
    return _all(waiting.values_list("user_id", flat=True), event.name)


def decision_recorded(event: Event) -> Targets:
    p = event.payload
    ids = set(
        VoterRollEntry.objects.filter(**_proposal_key(event)).values_list("user_id", flat=True)
    )
    ids |= _people(p.get("authors"))
    ids |= followers(SubjectType.PROPOSAL, f"{p['group']}/{p['number']}")
    ids |= followers(SubjectType.GROUP, p["group"])
    return _all(ids, event.name)


def group_followers(event: Event) -> Targets:
    return _all(followers(SubjectType.GROUP, event.payload["group"]), event.name)


def mentioned(text: str) -> set[int]:
    return _by_username({m.group(1) for m in MENTION.finditer(text or "")})


def comment_created(event: Event) -> Targets:
    p = event.payload
    ids = _people(p.get("authors")) | followers(SubjectType.PROPOSAL, f"{p['group']}/{p['number']}")
    targets = _all(ids, event.name)
    # The payload carries only the start of the comment; mentions are read from the whole of it.
    # A comment hidden meanwhile mentions no one.
    body = (
        Comment.objects.filter(pk=p.get("comment"), hidden_at__isnull=True)
        .values_list("body", flat=True)
        .first()
    )
    for user_id in mentioned(body or ""):
        targets[user_id] = "mention"
    return targets


def membership_requested(event: Event) -> Targets:
    if event.group_id is None:
        return {}
    return _all(roles.chairs_of(event.group_id).values_list("user_id", flat=True), event.name)


def to_member(event: Event) -> Targets:
    return _all(_people([event.payload.get("member")]), event.name)


def webhook_disabled(event: Event) -> Targets:
    if event.group_id is not None:
        ids = roles.chairs_of(event.group_id).values_list("user_id", flat=True)
    else:
        ids = User.objects.filter(is_staff=True).values_list("pk", flat=True)
    return _all(ids, event.name)


# --- Surveys ----------------------------------------------------------------------------------


def survey_opened(event: Event) -> Targets:
    slug = event.payload["survey"]
    survey = Survey.objects.filter(slug=slug).values("audience", "group_id", "group__slug").first()
    if survey is None:
        return {}
    if survey["audience"] == Survey.Audience.MEMBERS and survey["group_id"]:
        ids = set(roles.members_of(survey["group_id"]).values_list("user_id", flat=True))
    else:
        ids = followers(SubjectType.SURVEY, slug)
        if survey["group__slug"]:
            ids |= followers(SubjectType.GROUP, survey["group__slug"])
    return _all(ids, event.name)


def survey_results_frozen(event: Event) -> Targets:
    # "Respondents who asked to be told" are the survey's followers: following is separate from
    # answering, so nobody learns from a follow who answered an anonymous survey.
    # Results kept for owners are not news for anyone else.
    slug = event.payload["survey"]
    survey = Survey.objects.filter(slug=slug).values("created_by_id", "results_visibility").first()
    if survey is None:
        return {}
    ids = set()
    if survey["results_visibility"] != Survey.ResultsVisibility.OWNERS:
        ids = followers(SubjectType.SURVEY, slug)
    if survey["created_by_id"]:
        ids.add(survey["created_by_id"])
    return _all(ids, event.name)


# --- Datasets and standards -------------------------------------------------------------------


def dataset_people(slug: str) -> set[int]:
    """The owner and maintainers of a dataset."""
    dataset = Dataset.objects.filter(slug=slug).values("pk", "owner_id").first()
    if dataset is None:
        return set()
    maintainers = Dataset.maintainers.through.objects.filter(dataset_id=dataset["pk"])
    return {dataset["owner_id"], *maintainers.values_list("user_id", flat=True)}


def dataset_maintainers_and_followers(event: Event) -> Targets:
    slug = event.payload["dataset"]
    return _all(dataset_people(slug) | followers(SubjectType.DATASET, slug), event.name)


def standard_adopted(event: Event) -> Targets:
    slug, label = event.payload["standard"], event.payload["version"]
    ids = followers(SubjectType.STANDARD, slug)
    standard = MetadataStandard.objects.filter(slug=slug).values("pk", "group__slug").first()
    if standard is None:
        return _all(ids, event.name)
    if standard["group__slug"]:
        ids |= followers(SubjectType.GROUP, standard["group__slug"])
    adopted = semver_key(label)
    older = [
        pk
        for pk, version in StandardVersion.objects.filter(standard_id=standard["pk"]).values_list(
            "pk", "version"
        )
        if semver_key(version) < adopted
    ]
    if older:
        datasets = Dataset.objects.filter(standard_version_id__in=older)
        ids |= set(datasets.values_list("owner_id", flat=True))
        ids |= set(
            Dataset.maintainers.through.objects.filter(dataset__in=datasets).values_list(
                "user_id", flat=True
            )
        )
    return _all(ids, event.name)


RULES: dict[str, Callable[[Event], Targets]] = {
    "vote.opened": vote_opened,
    "vote.closing_soon": vote_closing_soon,
    "decision.recorded": decision_recorded,
    "proposal.created": group_followers,
    "proposal.discussion_opened": group_followers,
    "comment.created": comment_created,
    "membership.requested": membership_requested,
    "membership.approved": to_member,
    "membership.declined": to_member,
    "survey.opened": survey_opened,
    "survey.results_frozen": survey_results_frozen,
    "dataset.version_created": dataset_maintainers_and_followers,
    "validation.finished": dataset_maintainers_and_followers,
    "standard.adopted": standard_adopted,
    "webhook.disabled": webhook_disabled,
}


def resolve(event: Event) -> Targets:
    """Who should hear about ``event`` and as which kind (before visibility and preferences)."""
    rule = RULES.get(event.name)
    return rule(event) if rule else {}
