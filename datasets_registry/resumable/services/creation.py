"""Creating an upload: its length, its metadata and the destination it names."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, Invalid, NotAllowed
from datasets_registry.models import Dataset, DatasetVersion
from governance import roles

from .. import conf, selectors, tus
from ..errors import UploadTooLarge
from ..models import Upload
from .common import is_plain_name, publish_upload_event


def upload_create(*, user, length: int | None, metadata_header: str = "") -> Upload:
    """Create an upload of ``length`` bytes for ``user`` (tus creation extension).

    ``metadata_header`` is ``Upload-Metadata`` as sent. Its ``filename`` (or ``name``) becomes
    the file's name; ``dataset`` and ``version``, when given, are checked now, so that nobody
    sends gigabytes for a dataset they may not upload to or a version label that exists. Refused:
    over ``DATASET_UPLOAD_MAX_BYTES`` (413), over the person's quota of bytes (413) or of uploads
    at once (409). Publishes ``upload.created``.
    """
    roles.require_user(user)
    if length is None:
        raise Invalid(
            _("Upload-Length is required: this server does not accept deferred lengths."),
            errors={"Upload-Length": [_("Send the size of the whole file, in bytes.")]},
        )
    if length == 0:
        raise Invalid(
            _("The file is empty."),
            errors={"Upload-Length": [_("An empty file cannot be uploaded.")]},
        )
    limit = conf.max_size()
    if length > limit:
        raise UploadTooLarge(
            _("The file is larger than the upload limit of %(limit)s bytes.")
            % {"limit": f"{limit:,}"},
            errors={
                "Upload-Length": [
                    _("%(length)s bytes; files may be at most %(limit)s bytes (Tus-Max-Size).")
                    % {"length": f"{length:,}", "limit": f"{limit:,}"}
                ]
            },
        )
    metadata = tus.parse_metadata(metadata_header)
    filename = (metadata.get("filename") or metadata.get("name") or "").strip()
    if filename and not is_plain_name(filename):
        raise Invalid(
            _("The file name contains a path; send a plain file name."),
            errors={
                "Upload-Metadata": [
                    _("filename %(filename)s is not a plain file name.")
                    % {"filename": repr(filename)}
                ]
            },
        )
    _check_destination(user, metadata)

    with transaction.atomic():
        # One person's creations one at a time, so two at once cannot both squeeze under the quota.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        quota = selectors.quota_of(user)
        if quota["active_uploads"] >= quota["uploads"]:
            raise Conflict(
                _(
                    "You have %(active)s uploads in progress or waiting to be used, the most "
                    "allowed at once; finish or delete one (DELETE its URL) first."
                )
                % {"active": quota["active_uploads"]},
                errors={
                    "Upload-Length": [
                        _("At most %(uploads)s uploads at once.") % {"uploads": quota["uploads"]}
                    ]
                },
            )
        if quota["reserved_bytes"] + length > quota["bytes"]:
            free = max(0, quota["bytes"] - quota["reserved_bytes"])
            raise UploadTooLarge(
                _(
                    "This upload would take you past your upload quota of %(quota)s bytes: "
                    "%(reserved)s are reserved by your other uploads, %(free)s are free. "
                    "Finish, use or delete them (or wait until they expire)."
                )
                % {
                    "quota": f"{quota['bytes']:,}",
                    "reserved": f"{quota['reserved_bytes']:,}",
                    "free": f"{free:,}",
                },
                errors={
                    "Upload-Length": [
                        _("%(free)s bytes of your quota are free.") % {"free": f"{free:,}"}
                    ]
                },
            )
        now = timezone.now()
        upload = Upload.objects.create(
            user=user,
            length=length,
            filename=filename,
            metadata=metadata,
            metadata_header=(metadata_header or "").strip(),
            created_at=now,
            updated_at=now,
            expires_at=now + conf.expiry(),
        )
        publish_upload_event("upload.created", upload, user, length=length)
    return upload


def _check_destination(user, metadata: dict[str, str | None]) -> None:
    """``dataset`` / ``version`` in the metadata: refuse now what creating the version would."""
    slug = (metadata.get("dataset") or "").strip()
    if not slug:
        return
    dataset = Dataset.objects.visible_to(user).filter(slug=slug).first()
    if dataset is None:
        raise Invalid(
            _("No dataset %(slug)s (or it is private and not yours).") % {"slug": repr(slug)},
            errors={
                "Upload-Metadata": [_("dataset %(slug)s does not exist.") % {"slug": repr(slug)}]
            },
        )
    if not dataset.can_maintain(user):
        raise NotAllowed(_("Only the dataset's owner, its maintainers and staff may upload."))
    label = (metadata.get("version") or "").strip()
    if label and DatasetVersion.objects.filter(dataset=dataset, version=label).exists():
        raise Conflict(
            _(
                "%(dataset)s already has a version %(version)s; versions are immutable, "
                "upload under a new label."
            )
            % {"dataset": slug, "version": repr(label)},
            errors={
                "Upload-Metadata": [_("version %(version)s exists.") % {"version": repr(label)}]
            },
        )
