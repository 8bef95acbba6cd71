"""May this person see the subject of an event? One function per subject type, each asking the
subject's own app (its QuerySet methods and ``governance.roles``), in bulk: given candidate
recipients, return those who may see it. Nobody is ever told about a thing they may not see.

Governance is open by charter (groups, proposals and decisions are public), standards are
public, a dataset is public or seen by its owner, maintainers and staff, and a survey draft is
seen by its owner, its group's chairs and staff. A subject that no longer exists is seen by no
one. An event about a subject type without a function here reaches people only if it is public.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from config.events import Event
from datasets_registry.models import Dataset, MetadataStandard
from governance import roles
from governance.models import Proposal, WorkingGroup
from surveys.models import Survey

from .models import SubjectType

# A candidate recipient: {"pk", "is_staff", ...} as the fan-out reads it.
People = Mapping[int, Mapping[str, Any]]
Check = Callable[[str, People], set[int]]


def _staff(people: People) -> set[int]:
    return {pk for pk, row in people.items() if row.get("is_staff")}


def group(ref: str, people: People) -> set[int]:
    return set(people) if WorkingGroup.objects.filter(slug=ref).exists() else set()


def proposal(ref: str, people: People) -> set[int]:
    slug, _, number = ref.rpartition("/")
    if not number.isdigit():
        return set()
    exists = Proposal.objects.filter(group__slug=slug, number=int(number)).exists()
    return set(people) if exists else set()


def dataset(ref: str, people: People) -> set[int]:
    row = Dataset.objects.filter(slug=ref).values("pk", "visibility", "owner_id").first()
    if row is None:
        return set()
    if row["visibility"] == Dataset.Visibility.PUBLIC:
        return set(people)
    maintainers = set(
        Dataset.maintainers.through.objects.filter(dataset_id=row["pk"]).values_list(
            "user_id", flat=True
        )
    )
    allowed = {row["owner_id"], *maintainers} | _staff(people)
    return set(people) & allowed


def survey(ref: str, people: People) -> set[int]:
    row = Survey.objects.filter(slug=ref).values("status", "created_by_id", "group_id").first()
    if row is None:
        return set()
    if row["status"] != Survey.Status.DRAFT:
        return set(people)
    allowed = {row["created_by_id"]} | _staff(people)
    if row["group_id"]:
        allowed |= set(roles.chairs_of(row["group_id"]).values_list("user_id", flat=True))
    return set(people) & allowed


def standard(ref: str, people: People) -> set[int]:
    return set(people) if MetadataStandard.objects.filter(slug=ref).exists() else set()


CHECKS: dict[str, Check] = {
    SubjectType.GROUP: group,
    SubjectType.PROPOSAL: proposal,
    SubjectType.DATASET: dataset,
    SubjectType.SURVEY: survey,
    SubjectType.STANDARD: standard,
}


def who_may_see(event: Event, people: People) -> set[int]:
    """The subset of ``people`` who may see what ``event`` is about."""
    if not people:
        return set()
    subject = event.subject or {}
    check = CHECKS.get(subject.get("type", ""))
    if check is None:
        return set(people) if event.public else set()
    return check(str(subject.get("ref", "")), people)


def may_see(user: Any, subject_type: str, ref: str) -> bool:
    """Whether one signed-in ``user`` may see a subject (for following it)."""
    check = CHECKS.get(subject_type)
    if check is None or user is None or not user.is_authenticated:
        return False
    return bool(check(ref, {user.pk: {"is_staff": user.is_staff}}))
