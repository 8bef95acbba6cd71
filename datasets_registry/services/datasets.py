"""Datasets: registration, edits (metadata re-validated), maintainers."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config import events
from config.errors import Conflict, Invalid, NotAllowed

from ..events import dataset_subject
from ..models import (
    Dataset,
    MetadataStandard,
    StandardVersion,
)
from .common import (
    SLUG_RE,
    _canonical_license,
    _first_message,
    _require_maintainer,
    license_error,
    metadata_errors,
)

# --- datasets ----------------------------------------------------------------------------------


def resolve_standard_ref(ref: Any, *, field: str = "standard") -> StandardVersion:
    """``"slug@version"`` → an **adopted** StandardVersion, else ``Invalid`` on ``field``."""
    if isinstance(ref, StandardVersion):
        version = ref
    else:
        text = str(ref or "").strip()
        slug, sep, label = text.partition("@")
        if not sep or not slug or not label:
            raise Invalid(
                _("The standard is given as slug@version."),
                errors={
                    field: [
                        _("%(text)s is not of the form slug@version (e.g. omi-dataset-card@1.0.0).")
                        % {"text": repr(text)}
                    ]
                },
            )
        version = (
            StandardVersion.objects.select_related("standard")
            .filter(standard__slug=slug, version=label)
            .first()
        )
        if version is None:
            raise Invalid(
                _("Unknown standard version %(ref)s.") % {"ref": text},
                errors={field: [_("There is no standard version %(ref)s.") % {"ref": text}]},
            )
    if version.status != StandardVersion.Status.ADOPTED:
        adopted = version.standard.adopted_version
        values = {"ref": version.ref, "status": version.status}
        if adopted:
            hint = _(
                "%(ref)s is %(status)s: only adopted versions can be required of datasets; "
                "choose one such as %(adopted)s."
            ) % {**values, "adopted": adopted.ref}
        else:
            hint = (
                _(
                    "%(ref)s is %(status)s: only adopted versions can be required of datasets; "
                    "choose one."
                )
                % values
            )
        raise Invalid(
            _("%(ref)s is %(status)s; only adopted standard versions can be required.") % values,
            errors={field: [hint]},
        )
    if version.standard.kind != MetadataStandard.Kind.DATASET:
        # Model standards (models_registry) describe model cards and weight files.
        raise Invalid(
            _("%(ref)s is a %(kind)s standard.")
            % {"ref": version.ref, "kind": version.standard.kind},
            errors={
                field: [
                    _("%(ref)s is a model standard; datasets use a dataset standard.")
                    % {"ref": version.ref}
                ]
            },
        )
    return version


def _unique_slug(base: str) -> str:
    base = (slugify(base) or "dataset")[:70].strip("-") or "dataset"
    slug, n = base, 2
    while Dataset.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def dataset_register(
    *,
    actor,
    name: str,
    license: str,
    standard: Any,
    metadata: dict | None = None,
    slug: str | None = None,
    summary: str = "",
    description: str = "",
    visibility: str = Dataset.Visibility.PUBLIC,
    homepage: str = "",
) -> Dataset:
    """Register a dataset owned by ``actor``. Metadata must conform to an adopted standard version."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in to register a dataset."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    if slug and not SLUG_RE.match(slug):
        errors["slug"] = [_("Use lowercase letters, digits and single hyphens.")]
    if (message := license_error(license)) is not None:
        errors["license"] = [message]
    if visibility not in Dataset.Visibility.values:
        errors["visibility"] = [_("Choose public or private.")]
    try:
        version = resolve_standard_ref(standard)
    except Invalid as exc:
        errors.update(exc.errors)
        version = None
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        errors["metadata"] = [_("Metadata is a JSON object.")]
    elif version is not None:
        errors.update(metadata_errors(version.schema, metadata, prefix="/metadata", translate=True))
    if errors:
        raise Invalid(_first_message(errors), errors=errors)
    if slug:
        if Dataset.objects.filter(slug=slug).exists():
            raise Conflict(
                _("The slug %(slug)s is taken.") % {"slug": repr(slug)},
                errors={"slug": [_("This slug is taken.")]},
            )
    else:
        slug = _unique_slug(name)
    try:
        # The unique index decides a race between two registrations of the same slug.
        with transaction.atomic():
            dataset = Dataset.objects.create(
                slug=slug,
                name=name,
                summary=summary or "",
                description=description or "",
                owner=actor,
                license=_canonical_license(license),
                homepage=homepage or "",
                visibility=visibility,
                standard_version=version,
                metadata=metadata,
            )
            events.publish(
                "dataset.created",
                {
                    "dataset": dataset.slug,
                    "name": dataset.name,
                    "owner": actor.username,
                    "license": dataset.license,
                    "standard": version.ref,
                    "visibility": dataset.visibility,
                },
                actor=actor,
                public=dataset.is_public,
                url=dataset.get_absolute_url(),
                subject=dataset_subject(dataset),
            )
    except IntegrityError:
        raise Conflict(
            _("The slug %(slug)s is taken.") % {"slug": repr(slug)},
            errors={"slug": [_("This slug is taken.")]},
        ) from None
    return dataset


DATASET_EDITABLE = (
    "name",
    "summary",
    "description",
    "license",
    "homepage",
    "visibility",
    "metadata",
    "standard",
    "status",
)


def dataset_update(*, dataset: Dataset, actor, **changes: Any) -> Dataset:
    """Change a dataset's record (owner, maintainers, staff). Metadata is re-validated whole."""
    _require_maintainer(actor, dataset)
    unknown = set(changes) - set(DATASET_EDITABLE)
    if unknown:
        raise Invalid(
            _("Unknown fields."),
            errors={k: [_("This field cannot be changed.")] for k in sorted(unknown)},
        )
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        version = locked.standard_version
        if "standard" in changes:
            try:
                new_version = resolve_standard_ref(changes.pop("standard"))
            except Invalid as exc:
                errors.update(exc.errors)
            else:
                version = new_version
        if "name" in changes and not (changes["name"] or "").strip():
            errors["name"] = [_("A name is required.")]
        if "license" in changes and (message := license_error(changes["license"])) is not None:
            errors["license"] = [message]
        if "visibility" in changes and changes["visibility"] not in Dataset.Visibility.values:
            errors["visibility"] = [_("Choose public or private.")]
        if "status" in changes and changes["status"] not in Dataset.Status.values:
            errors["status"] = [
                _("Choose one of %(values)s.") % {"values": ", ".join(Dataset.Status.values)}
            ]
        metadata = changes.get("metadata", locked.metadata)
        if not isinstance(metadata, dict):
            errors["metadata"] = [_("Metadata is a JSON object.")]
        elif not errors and ("metadata" in changes or version.pk != locked.standard_version_id):
            errors.update(
                metadata_errors(version.schema, metadata, prefix="/metadata", translate=True)
            )
        if errors:
            raise Invalid(_first_message(errors), errors=errors)
        before = {key: getattr(locked, key) for key in changes}
        for key, value in changes.items():
            setattr(locked, key, value.strip() if key in ("name", "license") else value)
        changed = sorted(key for key in changes if getattr(locked, key) != before[key])
        if version.pk != locked.standard_version_id:
            changed = sorted([*changed, "standard"])
        locked.standard_version = version
        locked.updated_at = timezone.now()
        locked.save()
        events.publish(
            "dataset.updated",
            {
                "dataset": locked.slug,
                "name": locked.name,
                "changed": changed,
                "visibility": locked.visibility,
            },
            actor=actor,
            # Visible to those who may see the dataset now (a dataset made private says so
            # only to its maintainers).
            public=locked.is_public,
            url=locked.get_absolute_url(),
            subject=dataset_subject(locked),
        )
    return locked


def dataset_maintainer_add(*, dataset: Dataset, actor, user) -> None:
    """Make ``user`` a maintainer (the owner and staff decide). Adding a maintainer twice is
    harmless and announces nothing the second time."""
    _require_maintainer_manager(actor, dataset)
    if user is None:
        raise Invalid(_("No such person."), errors={"username": [_("No one has this username.")]})
    if user.pk == dataset.owner_id:
        raise Conflict(
            _("The owner already maintains the dataset."), errors={"username": [_("Owner.")]}
        )
    with transaction.atomic():
        if dataset.maintainers.filter(pk=user.pk).exists():
            return
        dataset.maintainers.add(user)
        _publish_maintainers_changed(dataset, actor, added=[user.username])


def dataset_maintainer_remove(*, dataset: Dataset, actor, user) -> None:
    """``user`` no longer maintains the dataset (a no-op when they did not)."""
    _require_maintainer_manager(actor, dataset)
    with transaction.atomic():
        if not dataset.maintainers.filter(pk=user.pk).exists():
            return
        dataset.maintainers.remove(user)
        _publish_maintainers_changed(dataset, actor, removed=[user.username])


def _require_maintainer_manager(actor, dataset: Dataset) -> None:
    if not dataset.can_manage_maintainers(actor):
        _require_maintainer(actor, dataset)  # 404 for outsiders
        raise NotAllowed(_("Only the dataset's owner and staff choose its maintainers."))


def _publish_maintainers_changed(dataset: Dataset, actor, *, added=(), removed=()) -> None:
    events.publish(
        "dataset.maintainers_changed",
        {
            "dataset": dataset.slug,
            "name": dataset.name,
            "added": list(added),
            "removed": list(removed),
        },
        actor=actor,
        public=dataset.is_public,
        url=dataset.get_absolute_url(),
        subject=dataset_subject(dataset),
    )
