"""Reads of the models registry, with visibility applied (private is 404 to others)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from config.errors import NotFound

from .models import Model, ModelVersion, TrainingData

STATUSES = tuple(ModelVersion.Status.values)


def models_for(user, *, q: str = "", group: str = "", status: str = "", checks: str = ""):
    """Models ``user`` may see, newest first, each with ``version_count`` and its versions'
    status and check results prefetched (for the badges)."""
    qs = (
        Model.objects.visible_to(user)
        .select_related("group", "owner", "standard_version__standard")
        .annotate(version_count=Count("versions", distinct=True))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ModelVersion.objects.only(
                    "pk", "model_id", "version", "status", "checks", "created_at"
                ).order_by("-created_at", "-pk"),
            ),
            "maintainers",
        )
    )
    if q:
        qs = qs.search(q)
    if group:
        qs = qs.filter(group__slug=group)
    if status in STATUSES:
        qs = qs.filter(versions__status=status).distinct()
    if checks == "passed":
        qs = qs.filter(versions__checks__passed=True).distinct()
    elif checks == "failed":
        qs = qs.filter(versions__checks__passed=False).distinct()
    return qs


def model_for(user, slug: str) -> Model:
    model = models_for(user).filter(slug=slug).first()
    if model is None:
        raise NotFound(_("No such model."))
    return model


def version_queryset():
    return ModelVersion.objects.select_related(
        "model__group", "model__owner", "model__standard_version__standard", "base_model__model"
    ).prefetch_related(
        "files",
        Prefetch(
            "training_data",
            queryset=TrainingData.objects.select_related("dataset_version__dataset"),
        ),
    )


def version_for(user, slug: str, version: str) -> ModelVersion:
    obj = version_queryset().filter(model__slug=slug, version=version).first()
    if obj is None or not obj.model.can_view(user):
        raise NotFound(_("No such model version."))
    return obj


def fine_tunes_for(user, version: ModelVersion) -> list[ModelVersion]:
    return list(
        ModelVersion.objects.filter(base_model=version, model__in=Model.objects.visible_to(user))
        .select_related("model")
        .order_by("created_at")
    )


def release_proposal(version: ModelVersion):
    """The latest ``model_release`` proposal targeting this version, if any."""
    from governance.models import Proposal

    return (
        Proposal.objects.filter(
            kind="model_release", target_type="model_version", target_id=version.pk
        )
        .select_related("group")
        .order_by("-created_at")
        .first()
    )
