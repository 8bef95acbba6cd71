"""Reads of the registry, scoped to what the requester may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from . import annotations
from .models import Dataset, DatasetVersion, MetadataStandard, StandardVersion


def datasets_for(user) -> QuerySet[Dataset]:
    """Datasets ``user`` may see, with what list pages show, in a fixed number of queries."""
    return (
        Dataset.objects.visible_to(user)
        .select_related("owner", "standard_version__standard")
        # Lists need the standard's name and version, not its (large) schema and rules.
        .defer(
            "standard_version__schema",
            "standard_version__rules",
            "standard_version__changelog",
            "standard_version__standard__description",
        )
        .prefetch_related("maintainers")
        # A correlated subquery, not a JOIN + GROUP BY over every column (JSON included).
        .annotate(
            version_count=Coalesce(
                Subquery(
                    DatasetVersion.objects.filter(dataset=OuterRef("pk"))
                    .order_by()
                    .values("dataset")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            )
        )
    )


def maintainer_usernames(dataset_ids: Iterable[int]) -> dict[int, list[str]]:
    """The usernames of each dataset's maintainers, in one query."""
    names: dict[int, list[str]] = {}
    rows = Dataset.maintainers.through.objects.filter(dataset_id__in=list(dataset_ids))
    for dataset_id, username in rows.values_list("dataset_id", "user__username"):
        names.setdefault(dataset_id, []).append(username)
    return names


def dataset_for(user, slug: str) -> Dataset:
    """The dataset, or 404 when it does not exist *or* the user may not see it."""
    dataset = datasets_for(user).filter(slug=slug).prefetch_related(_versions_prefetch()).first()
    if dataset is None:
        raise Http404(_("No such dataset."))
    return dataset


def dataset_lookup(user, slug: str) -> Dataset:
    """Just the dataset row (one query), or 404 when missing or not visible to ``user``."""
    dataset = Dataset.objects.visible_to(user).filter(slug=slug).first()
    if dataset is None:
        raise Http404(_("No such dataset."))
    return dataset


def may_upload(user, slug: str) -> bool:
    """Whether ``user`` may upload versions of the dataset ``slug`` (which they can see)."""
    if user is None or not user.is_authenticated:
        return False
    dataset = Dataset.objects.visible_to(user).filter(slug=slug).first()
    return dataset is not None and dataset.can_maintain(user)


def _versions_prefetch() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=DatasetVersion.objects.select_related("created_by").order_by("-created_at", "-pk"),
    )


def version_for(user, slug: str, label: str) -> DatasetVersion:
    version = (
        DatasetVersion.objects.select_related(
            "dataset__owner", "dataset__standard_version__standard", "created_by"
        )
        .filter(dataset__in=Dataset.objects.visible_to(user), dataset__slug=slug, version=label)
        .first()
    )
    if version is None:
        raise Http404(_("No such dataset version."))
    return version


def license_choices(user) -> list[str]:
    return list(
        Dataset.objects.visible_to(user)
        .order_by("license")
        .values_list("license", flat=True)
        .distinct()[:200]
    )


def standards() -> QuerySet[MetadataStandard]:
    return MetadataStandard.objects.select_related("group").prefetch_related(
        Prefetch(
            "versions",
            queryset=StandardVersion.objects.order_by("-created_at", "-pk"),
        )
    )


def standard_for(slug: str) -> MetadataStandard:
    standard = standards().filter(slug=slug).first()
    if standard is None:
        raise Http404(_("No such standard."))
    return standard


def standard_version_for(slug: str, label: str) -> StandardVersion:
    version = (
        StandardVersion.objects.select_related("standard__group")
        .filter(standard__slug=slug, version=label)
        .first()
    )
    if version is None:
        raise Http404(_("No such standard version."))
    return version


def adopted_versions() -> QuerySet[StandardVersion]:
    return StandardVersion.objects.adopted().select_related("standard").order_by("standard__name")


def home_panel() -> dict:
    """Public datasets, newest first, for the home page."""
    recent = list(
        Dataset.objects.public()
        .filter(~Q(status=Dataset.Status.WITHDRAWN))
        .order_by("-created_at", "-pk")[:5]
    )
    return {"recent_datasets": recent}


def version_badges(versions) -> dict[int, list]:
    """``{version id: [(annotator, badge), ...]}``: what other apps (caption validation) say
    about each version, through ``annotations``, in a fixed number of queries."""
    return annotations.badges(versions)


def dataset_badges(datasets) -> dict[int, list]:
    """``{dataset id: [(annotator, badge or None), ...]}`` for the newest version of each dataset
    (badges None for a dataset without a version). One query for the versions, plus the
    annotators' own."""
    newest: dict[int, DatasetVersion] = {}
    for version in DatasetVersion.objects.filter(dataset__in=list(datasets)).order_by(
        "dataset_id", "-created_at", "-pk"
    ):
        newest.setdefault(version.dataset_id, version)
    badges = annotations.badges(list(newest.values()))
    return {
        d.pk: badges[newest[d.pk].pk] if d.pk in newest else annotations.no_badges()
        for d in datasets
    }


def version_panels(version: DatasetVersion, user) -> list:
    """``[(annotator, panel or None), ...]``: the sections other apps add to a version's page."""
    return annotations.panels(version, user)
