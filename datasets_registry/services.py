"""Writes of the registry: standards, datasets, dataset versions, and the governance decisions.

Every function checks who may act and in which state, runs in a transaction and raises a
``config.errors`` domain error with a message a person can act on. Website views, the API, the
admin and the demo seed all come through here.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from config.errors import Conflict, Invalid, NotAllowed, NotFound

from . import files as file_checks
from .models import (
    SEMVER_RE,
    VERSION_LABEL_RE,
    Dataset,
    DatasetVersion,
    MetadataStandard,
    StandardVersion,
)
from .signals import dataset_version_created

logger = logging.getLogger(__name__)

JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UNSET: Any = object()
# Dataset acceptance proposals open in this working group when it exists (see docs/registry.md).
CORPUS_GROUP_SLUG = "datasets-captioning"


# --- validation helpers (pure) -----------------------------------------------------------------


def _pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_errors(schema: Any) -> dict[str, list[str]]:
    """Is ``schema`` a valid JSON Schema 2020-12? ``{pointer: [messages]}``, empty when it is."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    if not isinstance(schema, dict):
        return {"/": ["A JSON Schema must be a JSON object."]}
    declared = schema.get("$schema")
    if declared is not None and declared.rstrip("#") != JSON_SCHEMA_2020_12:
        return {
            "/$schema": [
                f"Only JSON Schema 2020-12 is supported ({JSON_SCHEMA_2020_12}); got {declared!r}."
            ]
        }
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = _pointer(exc.absolute_path) or "/"
        return {where: [f"Not a valid JSON Schema: {exc.message}"]}
    if schema.get("type", "object") != "object":
        return {"/type": ["Dataset metadata is a JSON object: the schema's type must be object."]}
    return {}


def metadata_errors(schema: dict, metadata: Any, *, prefix: str = "") -> dict[str, list[str]]:
    """Validate ``metadata`` against ``schema``; errors keyed by JSON pointer (under ``prefix``)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}
    for err in sorted(validator.iter_errors(metadata), key=lambda e: list(map(str, e.path))):
        path = list(err.absolute_path)
        if err.validator == "required" and isinstance(err.instance, dict):
            # Point at the missing property, not at its parent.
            missing = [p for p in err.validator_value if p not in err.instance]
            for name in missing:
                errors.setdefault(prefix + _pointer([*path, name]), []).append(
                    "This field is required."
                )
            continue
        errors.setdefault(prefix + _pointer(path) or prefix or "/", []).append(err.message)
    return errors


def license_error(expression: str) -> str | None:
    from .captions.licenses import is_valid_spdx

    expression = (expression or "").strip()
    if not expression:
        return "A licence is required (an SPDX expression such as CC-BY-4.0)."
    if not is_valid_spdx(expression):
        return (
            f"{expression!r} is not a valid SPDX licence expression; use identifiers from "
            "https://spdx.org/licenses/ (e.g. CC-BY-4.0, CC0-1.0, MIT OR Apache-2.0) or LicenseRef-…."
        )
    return None


def ruleset_errors(rules: Any) -> dict[str, list[str]]:
    from .captions import validate_ruleset

    return validate_ruleset(rules)


def _canonical_license(expression: str) -> str:
    return expression.strip()


# --- permissions -------------------------------------------------------------------------------


def can_edit_standard(user, standard: MetadataStandard) -> bool:
    """Chairs of the owning working group, and staff."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    from governance.models import Membership

    return (
        Membership.objects.active()
        .filter(group_id=standard.group_id, user=user, role=Membership.Role.CHAIR)
        .exists()
    )


def _require_standard_editor(user, standard: MetadataStandard) -> None:
    if not can_edit_standard(user, standard):
        raise NotAllowed(
            f"Only chairs of {standard.group.name} and staff may edit {standard.name}."
        )


def _require_maintainer(user, dataset: Dataset) -> None:
    if not dataset.can_maintain(user):
        # Someone who cannot see a private dataset must not learn that it exists.
        if not dataset.can_view(user):
            raise NotFound("Not found.")
        raise NotAllowed("Only the dataset's owner, its maintainers and staff may do this.")


# --- standards ---------------------------------------------------------------------------------


def _check_version_content(
    *, version: str, schema: Any, rules: Any, changelog: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not SEMVER_RE.match(version or ""):
        errors["version"] = [f"{version!r} is not a semantic version such as 1.2.0."]
    for pointer, messages in schema_errors(schema).items():
        errors.setdefault("schema" + (pointer if pointer != "/" else ""), []).extend(messages)
    for pointer, messages in ruleset_errors(rules if rules is not None else {}).items():
        errors.setdefault("rules" + (pointer if pointer != "/" else ""), []).extend(messages)
    return errors


def standard_create(
    *, actor, group, slug: str, name: str, description: str = ""
) -> MetadataStandard:
    """A new standard owned by ``group``; chairs of that group and staff may create one."""
    from governance.models import Membership

    if not actor.is_staff and not (
        Membership.objects.active()
        .filter(group=group, user=actor, role=Membership.Role.CHAIR)
        .exists()
    ):
        raise NotAllowed(f"Only chairs of {group.name} and staff may create its standards.")
    if not SLUG_RE.match(slug or ""):
        raise Invalid(
            "The slug is invalid.", errors={"slug": ["Use lowercase letters, digits and -."]}
        )
    with transaction.atomic():
        if MetadataStandard.objects.filter(slug=slug).exists():
            raise Conflict("A standard with this slug exists.", errors={"slug": ["Taken."]})
        return MetadataStandard.objects.create(
            slug=slug, name=name, group=group, description=description
        )


def standard_version_create(
    *,
    standard: MetadataStandard,
    actor,
    version: str,
    schema: Any = None,
    rules: Any = None,
    changelog: str = "",
    based_on: StandardVersion | None = None,
) -> StandardVersion:
    """A new draft, empty or copied from ``based_on`` (fields given explicitly win)."""
    _require_standard_editor(actor, standard)
    if based_on is not None:
        schema = based_on.schema if schema is None else schema
        rules = based_on.rules if rules is None else rules
    schema = {"$schema": JSON_SCHEMA_2020_12, "type": "object"} if schema is None else schema
    rules = {} if rules is None else rules
    errors = _check_version_content(
        version=version, schema=schema, rules=rules, changelog=changelog
    )
    if errors:
        raise Invalid(_first_message(errors), errors=errors)
    with transaction.atomic():
        if standard.versions.filter(version=version).exists():
            raise Conflict(
                f"{standard.slug}@{version} exists.", errors={"version": ["This version exists."]}
            )
        return StandardVersion.objects.create(
            standard=standard,
            version=version,
            schema=schema,
            rules=rules,
            changelog=changelog,
            created_by=actor,
        )


def standard_version_update(
    *,
    version: StandardVersion,
    actor,
    new_version: str | None = None,
    schema: Any = _UNSET,
    rules: Any = _UNSET,
    changelog: str | None = None,
) -> StandardVersion:
    """Edit a draft. Once proposed, a version's content is immutable (409)."""
    _require_standard_editor(actor, version.standard)
    with transaction.atomic():
        locked = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != StandardVersion.Status.DRAFT:
            raise Conflict(
                f"{locked} is {locked.get_status_display().lower()}: its content is immutable. "
                "Create a new version to change it."
            )
        if _open_proposals_targeting(locked).exists():
            raise Conflict(
                f"{locked} is the target of an open proposal: its content cannot change while "
                "the group decides on it."
            )
        label = locked.version if new_version is None else new_version
        candidate = {
            "version": label,
            "schema": locked.schema if schema is _UNSET else schema,
            "rules": locked.rules if rules is _UNSET else rules,
            "changelog": locked.changelog if changelog is None else changelog,
        }
        errors = _check_version_content(**candidate)
        if errors:
            raise Invalid(_first_message(errors), errors=errors)
        if (
            label != locked.version
            and locked.standard.versions.filter(version=label).exclude(pk=locked.pk).exists()
        ):
            raise Conflict(
                f"{locked.standard.slug}@{label} exists.", errors={"version": ["Taken."]}
            )
        for key, value in candidate.items():
            setattr(locked, key, value)
        locked.updated_at = timezone.now()
        locked.save()
        return locked


def _open_proposals_targeting(version: StandardVersion):
    from governance.models import Proposal

    return Proposal.objects.filter(
        target_type="standard_version",
        target_id=version.pk,
        status__in=[Proposal.Status.DRAFT, Proposal.Status.DISCUSSION, Proposal.Status.VOTING],
    )


def standard_version_propose(
    *, version: StandardVersion, actor, title: str = "", summary: str = "", body: str = ""
):
    """Freeze a draft and open a ``standard_adoption`` proposal targeting it by id and sha256.

    Returns the proposal. The version becomes ``proposed`` in the same transaction, so a proposal
    never targets content that can still change.
    """
    from governance import services as governance_services

    standard = version.standard
    _require_standard_editor(actor, standard)
    with transaction.atomic():
        locked = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != StandardVersion.Status.DRAFT:
            raise Conflict(f"{locked} is {locked.status}; only a draft can be proposed.")
        locked.sha256 = locked.compute_sha256()
        # Frozen first, so that governance's target check sees a proposed version.
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.PROPOSED, sha256=locked.sha256
        )
        proposal = governance_services.proposal_create(
            group=standard.group,
            author=actor,
            kind="standard_adoption",
            title=title or f"Adopt {standard.name} {locked.version}",
            summary=summary
            or f"Adopt version {locked.version} of {standard.name} (sha256 {locked.sha256[:12]}…).",
            body=body or _proposal_body(locked),
            target={"type": "standard_version", "id": locked.pk, "sha256": locked.sha256},
        )
        now = timezone.now()
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.PROPOSED,
            proposal_id=proposal.pk,
            proposed_at=now,
            updated_at=now,
        )
        version.refresh_from_db()
        return proposal


def _proposal_body(version: StandardVersion) -> str:
    url = settings.SITE_URL + version.get_absolute_url()
    return (
        f"This proposal adopts **{version.standard.name} {version.version}**.\n\n"
        f"- Version page and diff: {url}\n"
        f"- Content sha256: `{version.sha256}` (canonical JSON of standard, version, schema, "
        "rules and changelog)\n\n"
        f"### Changelog\n\n{version.changelog or '(none)'}\n"
    )


def standard_version_reopen(*, version: StandardVersion, actor) -> StandardVersion:
    """Back to draft when its adoption proposal was withdrawn or rejected (never after adoption)."""
    _require_standard_editor(actor, version.standard)
    with transaction.atomic():
        locked = StandardVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != StandardVersion.Status.PROPOSED:
            raise Conflict(f"{locked} is {locked.status}; only a proposed version can be reopened.")
        proposal = locked.proposal
        if proposal is not None and proposal.status not in ("withdrawn", "rejected"):
            raise Conflict(
                "Its adoption proposal is still open: withdraw it first, or wait for the decision."
            )
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.DRAFT, proposal_id=None, updated_at=timezone.now()
        )
        locked.refresh_from_db()
        return locked


def standard_version_adopt(*, version: StandardVersion, decision) -> StandardVersion:
    """Adopt ``version`` because ``decision`` accepted its proposal; deprecate the previous one.

    Refused without an accepted decision on a proposal that targets this exact content. Runs in
    the decision's transaction when called by the governance hook.
    """
    if decision is None or getattr(decision, "outcome", None) != "accepted":
        raise NotAllowed("A standard version is adopted only by an accepted governance decision.")
    proposal = decision.proposal
    if proposal.kind != "standard_adoption" or proposal.target_type != "standard_version":
        raise NotAllowed("This decision does not adopt a standard version.")
    with transaction.atomic():
        locked = (
            StandardVersion.objects.select_for_update()
            .select_related("standard")
            .filter(pk=version.pk)
            .first()
        )
        if locked is None or proposal.target_id != locked.pk:
            raise NotAllowed("This decision targets another standard version.")
        if locked.status == StandardVersion.Status.ADOPTED and locked.decision_id == decision.pk:
            return locked  # already applied: the hook may run again after a retry
        # A draft may be the target when its proposal was opened from the governance API rather
        # than from the standard's page; its content is still checked against the hash below.
        if locked.status not in (StandardVersion.Status.PROPOSED, StandardVersion.Status.DRAFT):
            raise Conflict(f"{locked} is {locked.status}; it cannot be adopted.")
        actual = locked.compute_sha256()
        if proposal.target_sha256 != actual or locked.sha256 != actual:
            raise Conflict(
                f"{locked}'s content (sha256 {actual}) is not what the proposal targeted "
                f"({proposal.target_sha256}); refusing to adopt."
            )
        now = timezone.now()
        StandardVersion.objects.filter(
            standard=locked.standard, status=StandardVersion.Status.ADOPTED
        ).update(status=StandardVersion.Status.DEPRECATED, deprecated_at=now, updated_at=now)
        StandardVersion.objects.filter(pk=locked.pk).update(
            status=StandardVersion.Status.ADOPTED,
            decision_id=decision.pk,
            proposal_id=proposal.pk,
            adopted_at=now,
            updated_at=now,
        )
        locked.refresh_from_db()
        version.refresh_from_db()
        return locked


def on_standard_adoption(proposal, decision) -> None:
    """Governance hook for ``standard_adoption`` decisions (runs in the decision transaction)."""
    if proposal.target_type != "standard_version" or not proposal.target_id:
        return
    version = StandardVersion.objects.filter(pk=proposal.target_id).first()
    if version is None:
        raise Conflict(f"The standard version #{proposal.target_id} targeted no longer exists.")
    if decision.outcome == "accepted":
        standard_version_adopt(version=version, decision=decision)
        return
    # Rejected: the content goes back to draft so the group can revise it and propose again.
    StandardVersion.objects.filter(
        pk=version.pk, status=StandardVersion.Status.PROPOSED, proposal_id=proposal.pk
    ).update(status=StandardVersion.Status.DRAFT, proposal_id=None, updated_at=timezone.now())


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
                "The standard is given as slug@version.",
                errors={
                    field: [
                        f"{text!r} is not of the form slug@version (e.g. omi-dataset-card@1.0.0)."
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
                f"Unknown standard version {text}.",
                errors={field: [f"There is no standard version {text}."]},
            )
    if version.status != StandardVersion.Status.ADOPTED:
        raise Invalid(
            f"{version.ref} is {version.status}; only adopted standard versions can be required.",
            errors={
                field: [
                    f"{version.ref} is {version.status}: only adopted versions can be required"
                    " of datasets; choose one"
                    + (
                        f" such as {adopted.ref}."
                        if (adopted := version.standard.adopted_version)
                        else "."
                    )
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


def _first_message(errors: dict[str, list[str]]) -> str:
    field, messages = next(iter(errors.items()))
    more = sum(map(len, errors.values())) - 1
    return f"{field}: {messages[0]}" + (f" (and {more} more)" if more else "")


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
        raise NotAllowed("Sign in to register a dataset.")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["A name is required."]
    if slug and not SLUG_RE.match(slug):
        errors["slug"] = ["Use lowercase letters, digits and single hyphens."]
    if (message := license_error(license)) is not None:
        errors["license"] = [message]
    if visibility not in Dataset.Visibility.values:
        errors["visibility"] = ["Choose public or private."]
    try:
        version = resolve_standard_ref(standard)
    except Invalid as exc:
        errors.update(exc.errors)
        version = None
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        errors["metadata"] = ["Metadata is a JSON object."]
    elif version is not None:
        errors.update(metadata_errors(version.schema, metadata, prefix="/metadata"))
    if errors:
        raise Invalid(_first_message(errors), errors=errors)
    if slug:
        if Dataset.objects.filter(slug=slug).exists():
            raise Conflict(f"The slug {slug!r} is taken.", errors={"slug": ["This slug is taken."]})
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
    except IntegrityError:
        raise Conflict(
            f"The slug {slug!r} is taken.", errors={"slug": ["This slug is taken."]}
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
            "Unknown fields.",
            errors={k: ["This field cannot be changed."] for k in sorted(unknown)},
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
            errors["name"] = ["A name is required."]
        if "license" in changes and (message := license_error(changes["license"])) is not None:
            errors["license"] = [message]
        if "visibility" in changes and changes["visibility"] not in Dataset.Visibility.values:
            errors["visibility"] = ["Choose public or private."]
        if "status" in changes and changes["status"] not in Dataset.Status.values:
            errors["status"] = [f"Choose one of {', '.join(Dataset.Status.values)}."]
        metadata = changes.get("metadata", locked.metadata)
        if not isinstance(metadata, dict):
            errors["metadata"] = ["Metadata is a JSON object."]
        elif not errors and ("metadata" in changes or version.pk != locked.standard_version_id):
            errors.update(metadata_errors(version.schema, metadata, prefix="/metadata"))
        if errors:
            raise Invalid(_first_message(errors), errors=errors)
        for key, value in changes.items():
            setattr(locked, key, value.strip() if key in ("name", "license") else value)
        locked.standard_version = version
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def dataset_maintainer_add(*, dataset: Dataset, actor, user) -> None:
    if not dataset.can_manage_maintainers(actor):
        _require_maintainer(actor, dataset)  # 404 for outsiders
        raise NotAllowed("Only the dataset's owner and staff choose its maintainers.")
    if user is None:
        raise Invalid("No such person.", errors={"username": ["No one has this username."]})
    if user.pk == dataset.owner_id:
        raise Conflict("The owner already maintains the dataset.", errors={"username": ["Owner."]})
    dataset.maintainers.add(user)


def dataset_maintainer_remove(*, dataset: Dataset, actor, user) -> None:
    if not dataset.can_manage_maintainers(actor):
        _require_maintainer(actor, dataset)
        raise NotAllowed("Only the dataset's owner and staff choose its maintainers.")
    dataset.maintainers.remove(user)


# --- dataset versions --------------------------------------------------------------------------


def _hash_file(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(1024 * 1024):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _local_path(upload) -> tuple[str, bool]:
    """A path on disk for the inspection pass (a temp copy only for in-memory uploads)."""
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path(), False
    import tempfile

    tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115
        delete=False, dir=settings.FILE_UPLOAD_TEMP_DIR, suffix=".upload"
    )
    with tmp:
        upload.seek(0)
        for chunk in upload.chunks(1024 * 1024):
            tmp.write(chunk)
    upload.seek(0)
    return tmp.name, True


def dataset_version_create(
    *,
    dataset: Dataset,
    actor,
    upload,
    version: str,
    format: str | None = None,
    compression: str | None = None,
    sha256: str | None = None,
    caption_column: str | None = None,
    image_column: str | None = None,
    license_column: str | None = None,
    notes: str = "",
) -> DatasetVersion:
    """Store an uploaded caption file as a new, immutable version of ``dataset``.

    ``upload`` is a Django ``UploadedFile``; when it came through ``uploads.HashingUploadHandler``
    it carries the sha256 computed while it streamed, otherwise it is hashed here chunk by chunk.
    Every check runs before anything is stored; if storing or saving fails, the stored file is
    deleted: there is never a half-created version. Sends ``dataset_version_created`` inside the
    transaction.
    """
    _require_maintainer(actor, dataset)
    errors: dict[str, list[str]] = {}
    version = (version or "").strip()
    if not version:
        errors["version"] = ["A version label is required (e.g. 1.0.0 or 2024-06)."]
    elif not VERSION_LABEL_RE.match(version):
        errors["version"] = [
            "Use up to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit."
        ]
    if format and format not in file_checks.FORMATS:
        errors["format"] = [
            f"{format!r} is not a format; use one of {', '.join(file_checks.FORMATS)}."
        ]
    if compression is not None and compression not in file_checks.COMPRESSIONS:
        errors["compression"] = ["Use gzip, zstd or leave it empty."]
    client_sha = (sha256 or "").strip().lower() or None
    if client_sha is not None and not SHA256_RE.match(client_sha):
        errors["sha256"] = ["A sha256 is 64 hexadecimal characters."]
    if upload is None:
        errors["file"] = ["No file was uploaded (send it as the multipart field 'file')."]
    if errors:
        raise Invalid(_first_message(errors), errors=errors)
    if upload.size == 0:
        raise Invalid("The file is empty.", errors={"file": ["The file is empty."]})
    if upload.size > settings.DATASET_UPLOAD_MAX_BYTES:
        from .uploads import too_large_error

        raise too_large_error(settings.DATASET_UPLOAD_MAX_BYTES)
    server_sha = getattr(upload, "sha256", None) or _hash_file(upload)
    if client_sha is not None and client_sha != server_sha:
        raise Invalid(
            "The file's sha256 does not match the one you sent; nothing was stored.",
            errors={
                "sha256": [
                    f"You sent {client_sha}, the server computed {server_sha} for the "
                    f"{upload.size:,} bytes it received."
                ]
            },
        )
    if DatasetVersion.objects.filter(dataset=dataset, version=version).exists():
        raise Conflict(
            f"{dataset.slug} already has a version {version!r}; versions are immutable, "
            "upload under a new label.",
            errors={"version": ["This version exists."]},
        )
    path, is_copy = _local_path(upload)
    try:
        facts = file_checks.inspect_file(
            path, filename=upload.name or "", format=format or None, compression=compression
        )
    finally:
        if is_copy:
            import os

            os.unlink(path)
    mapping = file_checks.resolve_columns(
        facts.columns,
        {"caption": caption_column, "image": image_column, "license": license_column},
    )

    obj = DatasetVersion(
        dataset=dataset,
        version=version,
        original_filename=(upload.name or "")[:255],
        format=facts.format,
        compression=facts.compression,
        size=upload.size,
        sha256=server_sha,
        row_count=facts.row_count,
        column_mapping=mapping,
        columns=facts.columns,
        notes=notes or "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.seek(0)
    # Stored before the transaction so no row lock is held while bytes move; removed again if the
    # row cannot be written.
    obj.file.save(upload.name or "captions", upload, save=False)
    stored_name = obj.file.name
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:
                raise Conflict(
                    f"{dataset.slug} already has a version {version!r}.",
                    errors={"version": ["This version exists."]},
                ) from None
            Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now())
            dataset_version_created.send(sender=DatasetVersion, version=obj, actor=actor)
    except BaseException:
        obj.file.storage.delete(stored_name)
        raise
    return obj


# --- corpus acceptance -------------------------------------------------------------------------


def dataset_version_propose_acceptance(
    *,
    version: DatasetVersion,
    actor,
    group=None,
    title: str = "",
    summary: str = "",
    body: str = "",
):
    """Open a ``dataset_acceptance`` proposal for ``version`` (in the standard's group by default)."""
    from governance import services as governance_services

    dataset = version.dataset
    _require_maintainer(actor, dataset)
    if not dataset.is_public:
        raise Conflict("Only a public dataset can be proposed for the training corpus.")
    if group is None:
        from governance.models import WorkingGroup

        # The group that curates the corpus decides, when there is one; else the standard's.
        group = (
            WorkingGroup.objects.filter(slug=CORPUS_GROUP_SLUG, status="active").first()
            or dataset.standard_version.standard.group
        )
    return governance_services.proposal_create(
        group=group,
        author=actor,
        kind="dataset_acceptance",
        title=title or f"Accept {dataset.name} {version.version} into the corpus",
        summary=summary
        or f"Accept version {version.version} of {dataset.name} (sha256 {version.sha256[:12]}…).",
        body=body
        or (
            f"Dataset: {settings.SITE_URL}{version.get_absolute_url()}\n\n"
            f"- File sha256: `{version.sha256}`\n- Rows: {version.row_count}\n"
            f"- Licence: {dataset.license}\n- Standard: {dataset.standard_version.ref}\n"
        ),
        target={"type": "dataset_version", "id": version.pk, "sha256": version.sha256},
    )


def check_standard_version_target(target_id: int, sha256: str) -> None:
    """Governance target check: a standard adoption proposal targets a version being proposed
    through the registry (frozen, not yet attached to a proposal), by its exact content hash."""
    version = StandardVersion.objects.filter(pk=target_id).first()
    if version is None:
        raise Invalid(
            "No such standard version.", errors={"target.id": ["Unknown standard version."]}
        )
    if version.sha256 != sha256:
        raise Invalid(
            "The sha256 is not the version's.",
            errors={"target.sha256": [f"{version.ref} has sha256 {version.sha256}."]},
        )
    if version.status != StandardVersion.Status.PROPOSED or version.proposal_id is not None:
        raise Invalid(
            f"{version.ref} is {version.status}; propose it from its page on the website.",
            errors={"target.id": ["Propose a draft from the standard version's page."]},
        )


def check_dataset_version_target(target_id: int, sha256: str) -> None:
    """Governance target check: an existing version of a public dataset, by its file's sha256."""
    version = DatasetVersion.objects.select_related("dataset").filter(pk=target_id).first()
    if version is None or not version.dataset.is_public:
        raise Invalid(
            "No such dataset version.", errors={"target.id": ["Unknown dataset version."]}
        )
    if version.sha256 != sha256:
        raise Invalid(
            "The sha256 is not the version's.",
            errors={"target.sha256": [f"{version} has sha256 {version.sha256}."]},
        )


def on_dataset_acceptance(proposal, decision) -> None:
    """Governance hook for ``dataset_acceptance``: accepted → accepted, rejected → excluded."""
    if proposal.target_type != "dataset_version" or not proposal.target_id:
        return
    version = DatasetVersion.objects.select_related("dataset").filter(pk=proposal.target_id).first()
    if version is None:
        raise Conflict(f"The dataset version #{proposal.target_id} targeted no longer exists.")
    if version.sha256 != proposal.target_sha256:
        raise Conflict(f"{version}'s file is not the one the proposal targeted; refusing.")
    status = (
        Dataset.CorpusStatus.ACCEPTED
        if decision.outcome == "accepted"
        else Dataset.CorpusStatus.EXCLUDED
    )
    Dataset.objects.filter(pk=version.dataset_id).update(
        corpus_status=status,
        corpus_version=version,
        corpus_decision_id=decision.pk,
        updated_at=timezone.now(),
    )
