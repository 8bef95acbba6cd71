"""Dataset versions (immutable uploads) and their acceptance into the corpus."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import events
from config.errors import Conflict, Invalid
from governance import services as governance_services
from governance.models import WorkingGroup

from .. import files as file_checks
from ..events import dataset_subject, proposal_ref
from ..models import (
    VERSION_LABEL_RE,
    Dataset,
    DatasetVersion,
)
from .common import (
    CORPUS_GROUP_SLUG,
    SHA256_RE,
    _first_message,
    _require_maintainer,
    file_too_large,
)

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
    deleted: there is never a half-created version. Publishes ``dataset.version_created``
    inside the transaction, with the saved version in ``objects`` (caption validation queues
    its run from it, in the same transaction).
    """
    _require_maintainer(actor, dataset)
    errors: dict[str, list[str]] = {}
    version = (version or "").strip()
    if not version:
        errors["version"] = [_("A version label is required (e.g. 1.0.0 or 2024-06).")]
    elif not VERSION_LABEL_RE.match(version):
        errors["version"] = [
            _(
                "Use up to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or "
                "digit."
            )
        ]
    if format and format not in file_checks.FORMATS:
        errors["format"] = [
            _("%(format)s is not a format; use one of %(formats)s.")
            % {"format": repr(format), "formats": ", ".join(file_checks.FORMATS)}
        ]
    if compression is not None and compression not in file_checks.COMPRESSIONS:
        errors["compression"] = [_("Use gzip, zstd or leave it empty.")]
    client_sha = (sha256 or "").strip().lower() or None
    if client_sha is not None and not SHA256_RE.match(client_sha):
        errors["sha256"] = [_("A sha256 is 64 hexadecimal characters.")]
    if upload is None:
        errors["file"] = [_("No file was uploaded (send it as the multipart field 'file').")]
    if errors:
        raise Invalid(_first_message(errors), errors=errors)
    if upload.size == 0:
        raise Invalid(_("The file is empty."), errors={"file": [_("The file is empty.")]})
    if upload.size > settings.DATASET_UPLOAD_MAX_BYTES:
        raise file_too_large(settings.DATASET_UPLOAD_MAX_BYTES)
    server_sha = getattr(upload, "sha256", None) or _hash_file(upload)
    if client_sha is not None and client_sha != server_sha:
        raise Invalid(
            _("The file's sha256 does not match the one you sent; nothing was stored."),
            errors={
                "sha256": [
                    _(
                        "You sent %(client)s, the server computed %(server)s for the "
                        "%(size)s bytes it received."
                    )
                    % {"client": client_sha, "server": server_sha, "size": f"{upload.size:,}"}
                ]
            },
        )
    if DatasetVersion.objects.filter(dataset=dataset, version=version).exists():
        raise Conflict(
            _(
                "%(dataset)s already has a version %(version)s; versions are immutable, "
                "upload under a new label."
            )
            % {"dataset": dataset.slug, "version": repr(version)},
            errors={"version": [_("This version exists.")]},
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
                    _("%(dataset)s already has a version %(version)s.")
                    % {"dataset": dataset.slug, "version": repr(version)},
                    errors={"version": [_("This version exists.")]},
                ) from None
            Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now())
            events.publish(
                "dataset.version_created",
                {
                    "dataset": dataset.slug,
                    "name": dataset.name,
                    "version": obj.version,
                    "sha256": obj.sha256,
                    "size": obj.size,
                    "row_count": obj.row_count,
                    "format": obj.format,
                    "compression": obj.compression,
                },
                actor=actor,
                public=dataset.is_public,
                url=obj.get_absolute_url(),
                subject=dataset_subject(dataset),
                objects={"version": obj, "actor": actor},
            )
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
    base_url: str = "",
):
    """Open a ``dataset_acceptance`` proposal for ``version`` (in the standard's group by default).
    The body links to the version page on ``base_url`` (the request's site), else ``SITE_URL``."""
    dataset = version.dataset
    _require_maintainer(actor, dataset)
    if not dataset.is_public:
        raise Conflict(_("Only a public dataset can be proposed for the training corpus."))
    if group is None:
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
            f"Dataset: [{dataset.name} {version.version}]"
            f"({(base_url or settings.SITE_URL).rstrip('/')}{version.get_absolute_url()})\n\n"
            f"- File sha256: `{version.sha256}`\n- Rows: {version.row_count}\n"
            f"- Licence: {dataset.license}\n- Standard: {dataset.standard_version.ref}\n"
        ),
        target={"type": "dataset_version", "id": version.pk, "sha256": version.sha256},
    )


def check_dataset_version_target(target_id: int, sha256: str) -> None:
    """Governance target check: an existing version of a public dataset, by its file's sha256."""
    version = DatasetVersion.objects.select_related("dataset").filter(pk=target_id).first()
    if version is None or not version.dataset.is_public:
        raise Invalid(
            _("No such dataset version."), errors={"target.id": [_("Unknown dataset version.")]}
        )
    if version.sha256 != sha256:
        raise Invalid(
            _("The sha256 is not the version's."),
            errors={
                "target.sha256": [
                    _("%(version)s has sha256 %(sha256)s.")
                    % {"version": version, "sha256": version.sha256}
                ]
            },
        )


def on_dataset_acceptance(proposal, decision) -> None:
    """Governance hook for ``dataset_acceptance``: accepted → accepted, rejected → excluded."""
    if proposal.target_type != "dataset_version" or not proposal.target_id:
        return
    version = DatasetVersion.objects.select_related("dataset").filter(pk=proposal.target_id).first()
    if version is None:
        raise Conflict(
            _("The dataset version #%(id)s targeted no longer exists.") % {"id": proposal.target_id}
        )
    if version.sha256 != proposal.target_sha256:
        raise Conflict(
            _("%(version)s's file is not the one the proposal targeted; refusing.")
            % {"version": version}
        )
    accepted = decision.outcome == "accepted"
    status = Dataset.CorpusStatus.ACCEPTED if accepted else Dataset.CorpusStatus.EXCLUDED
    Dataset.objects.filter(pk=version.dataset_id).update(
        corpus_status=status,
        corpus_version=version,
        corpus_decision_id=decision.pk,
        updated_at=timezone.now(),
    )
    dataset = version.dataset
    events.publish(
        "dataset.accepted" if accepted else "dataset.excluded",
        {
            "dataset": dataset.slug,
            "name": dataset.name,
            "version": version.version,
            "sha256": version.sha256,
            "decision": decision.pk,
            "proposal": proposal_ref(proposal),
        },
        group=proposal.group_id,
        public=dataset.is_public,
        url=dataset.get_absolute_url(),
        subject=dataset_subject(dataset),
    )
