"""Write services of the models registry: models, versions (immutable), release proposals.

Each service checks permissions and input, writes in one transaction and publishes its event.
Errors are domain errors (``config.errors``) keyed by field, file or JSON pointer.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import events
from config.canonical import sha256_of
from config.errors import Conflict, Invalid, NotAllowed, NotFound
from datasets_registry.models import SEMVER_RE, DatasetVersion, MetadataStandard, StandardVersion
from datasets_registry.services.common import SHA256_RE, SLUG_RE, license_error, metadata_errors
from governance import roles
from governance.models import WorkingGroup

from . import safetensors_header as st
from .events import model_subject, training_refs
from .lineage import dataset_version_problem
from .models import Model, ModelFile, ModelVersion, TrainingData

ROLES = tuple(ModelFile.Role.values)
PATH_RE = re.compile(r"^[A-Za-z0-9._-][A-Za-z0-9._ +-]*(/[A-Za-z0-9._-][A-Za-z0-9._ +-]*)*$")
MAX_FILES = 200


def _first(errors: dict[str, list[str]]) -> str:
    key, messages = next(iter(errors.items()))
    return _("%(field)s: %(message)s") % {"field": key, "message": messages[0]}


def require_maintainer(actor, model: Model) -> None:
    if not model.can_maintain(actor):
        raise NotAllowed(_("Only the model's owner, its maintainers and staff may do this."))


# --- models --------------------------------------------------------------------------------


def resolve_standard(ref: str) -> StandardVersion:
    """``"slug@version"`` of an adopted model standard."""
    slug, _sep, version = (ref or "").partition("@")
    sv = (
        StandardVersion.objects.select_related("standard")
        .filter(standard__slug=slug, version=version)
        .first()
    )
    if sv is None:
        raise Invalid(
            _("No such standard."),
            errors={"standard": [_("No standard version %(ref)r.") % {"ref": ref}]},
        )
    if sv.standard.kind != MetadataStandard.Kind.MODEL:
        raise Invalid(
            _("Not a model standard."),
            errors={
                "standard": [
                    _("%(ref)s is a %(kind)s standard; use a model standard.")
                    % {"ref": ref, "kind": sv.standard.kind}
                ]
            },
        )
    if sv.status != StandardVersion.Status.ADOPTED:
        raise Invalid(
            _("The standard version is not adopted."),
            errors={
                "standard": [
                    _("%(ref)s is %(status)s; models register against adopted ones.")
                    % {"ref": ref, "status": sv.status}
                ]
            },
        )
    return sv


def model_create(
    *,
    actor,
    name: str,
    summary: str = "",
    description: str = "",
    license: str,
    group: WorkingGroup | str,
    standard: str,
    slug: str = "",
    visibility: str = Model.Visibility.PUBLIC,
) -> Model:
    """A contributor (or above) of ``group`` registers a model; they become its owner."""
    from django.utils.text import slugify

    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Log in to register a model."))
    errors: dict[str, list[str]] = {}
    if isinstance(group, str):
        group_obj = WorkingGroup.objects.filter(slug=group, status="active").first()
        if group_obj is None:
            errors["group"] = [_("No active working group %(group)r.") % {"group": group}]
    else:
        group_obj = group
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("A name is required.")]
    slug = (slug or slugify(name))[:80]
    if not SLUG_RE.match(slug or ""):
        errors["slug"] = [_("Lowercase letters, digits and hyphens.")]
    elif Model.objects.filter(slug=slug).exists():
        errors["slug"] = [_("The slug %(slug)r is taken.") % {"slug": slug}]
    if (problem := license_error(license)) is not None:
        errors["license"] = [problem]
    if visibility not in Model.Visibility.values:
        errors["visibility"] = [_("public or private.")]
    if len(summary or "") > 300:
        errors["summary"] = [_("At most 300 characters.")]
    sv = None
    try:
        sv = resolve_standard(standard)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(_first(errors), errors=errors)
    if not actor.is_staff and roles.role_of(actor, group_obj) in (None, roles.Role.OBSERVER):
        raise NotAllowed(
            _("Only contributors of %(group)s (and staff) register its models.")
            % {"group": group_obj.name}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                model = Model.objects.create(
                    slug=slug,
                    name=name,
                    summary=summary or "",
                    description=description or "",
                    license=license.strip(),
                    group=group_obj,
                    owner=actor,
                    standard_version=sv,
                    visibility=visibility,
                )
        except IntegrityError:
            raise Conflict(
                _("The slug is taken."), errors={"slug": [_("The slug is taken.")]}
            ) from None
        events.publish(
            "model.created",
            {
                "model": model.slug,
                "name": model.name,
                "group": group_obj.slug,
                "owner": actor.username,
                "license": model.license,
                "standard": sv.ref,
                "visibility": model.visibility,
            },
            actor=actor,
            group=group_obj,
            public=model.is_public,
            url=model.get_absolute_url(),
            subject=model_subject(model),
            objects={"model": model},
        )
    return model


EDITABLE = ("name", "summary", "description", "license", "visibility")


def model_update(*, model: Model, actor, **changes: Any) -> Model:
    require_maintainer(actor, model)
    errors: dict[str, list[str]] = {}
    changed = []
    for field, value in changes.items():
        if field not in EDITABLE:
            errors[field] = [_("This field cannot be changed.")]
            continue
        if field == "license" and (problem := license_error(value)):
            errors[field] = [problem]
        if field == "visibility" and value not in Model.Visibility.values:
            errors[field] = [_("public or private.")]
        if field == "name" and not (value or "").strip():
            errors[field] = [_("A name is required.")]
        if getattr(model, field) != value:
            changed.append(field)
    if errors:
        raise Invalid(_first(errors), errors=errors)
    if not changed:
        return model
    with transaction.atomic():
        for field in changed:
            setattr(model, field, changes[field])
        model.updated_at = timezone.now()
        model.save(update_fields=[*changed, "updated_at"])
        events.publish(
            "model.updated",
            {
                "model": model.slug,
                "name": model.name,
                "changed": changed,
                "visibility": model.visibility,
            },
            actor=actor,
            group=model.group,
            public=model.is_public,
            url=model.get_absolute_url(),
            subject=model_subject(model),
        )
    return model


# --- versions ------------------------------------------------------------------------------


@dataclass
class IncomingFile:
    """A file of a registration: uploaded (``upload`` set, hashed as it streamed) or declared
    (``url``, ``size`` and ``sha256`` given; ``header`` optionally its safetensors header)."""

    path: str
    role: str
    upload: Any = None
    url: str = ""
    size: int | None = None
    sha256: str = ""
    header: Any = None

    @property
    def verified(self) -> bool:
        return self.upload is not None


def _json_field(value: Any, field: str, kind: type, errors: dict) -> Any:
    if value is None or value == "":
        return kind()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            errors[field] = [
                _("Not valid JSON: %(error)s at line %(line)s, column %(column)s.")
                % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
            ]
            return kind()
    if not isinstance(value, kind):
        errors[field] = [
            _("Expected a JSON object.") if kind is dict else _("Expected a JSON list.")
        ]
        return kind()
    return value


def parse_external(raw: Any, errors: dict) -> list[IncomingFile]:
    items = _json_field(raw, "external", list, errors)
    files = []
    for i, item in enumerate(items):
        where = f"external/{i}"
        if not isinstance(item, dict):
            # Translators: {path, role, size, sha256, url} names JSON keys; keep it as it is.
            errors[where] = [_("Each entry is {path, role, size, sha256, url}.")]
            continue
        size, sha, url = item.get("size"), str(item.get("sha256") or "").lower(), item.get("url")
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            errors[f"{where}/size"] = [_("A positive integer (bytes).")]
        if not SHA256_RE.match(sha):
            errors[f"{where}/sha256"] = [_("64 hexadecimal characters.")]
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            errors[f"{where}/url"] = [_("An http(s) URL where the file can be downloaded.")]
        files.append(
            IncomingFile(
                path=str(item.get("path") or ""),
                role=str(item.get("role") or ""),
                url=url if isinstance(url, str) else "",
                size=size if isinstance(size, int) else None,
                sha256=sha,
            )
        )
    return files


def _check_paths(files: list[IncomingFile], errors: dict) -> None:
    seen: set[str] = set()
    if len(files) > MAX_FILES:
        errors["files"] = [_("At most %(count)s files per version.") % {"count": MAX_FILES}]
    for f in files:
        key = f"file:{f.path}"
        if not PATH_RE.match(f.path) or ".." in f.path.split("/") or len(f.path) > 300:
            errors[key] = [
                _("A relative path of letters, digits, '.', '_', '-', spaces and '/' (no '..').")
            ]
        elif f.path in seen:
            errors[key] = [_("Two files have this path.")]
        seen.add(f.path)
        if f.role not in ROLES:
            errors.setdefault(key, []).append(
                _("Role %(role)r: use one of %(roles)s.")
                % {"role": f.role, "roles": ", ".join(ROLES)}
            )
        if f.upload is not None and f.upload.size == 0:
            errors.setdefault(key, []).append(_("The file is empty."))


def _resolve_training(items: Any, actor, errors: dict) -> list[tuple[DatasetVersion, str]]:
    items = _json_field(items, "training_data", list, errors)
    found = []
    if not items and "training_data" not in errors:
        errors["training_data"] = [_("Name the dataset versions the model was trained on.")]
    for i, item in enumerate(items):
        where = f"training_data/{i}"
        if not isinstance(item, dict):
            # Translators: {"dataset", "version", "sha256"} names JSON keys; keep it as it is.
            errors[where] = [_('Each entry is {"dataset", "version", "sha256"}.')]
            continue
        sha = str(item.get("sha256") or "").lower()
        dv = (
            DatasetVersion.objects.select_related("dataset")
            .filter(dataset__slug=item.get("dataset"), version=item.get("version"))
            .first()
        )
        if dv is None or not dv.dataset.can_view(actor):
            errors[where] = [
                _("No dataset version %(dataset)s@%(version)s.")
                % {"dataset": item.get("dataset"), "version": item.get("version")}
            ]
            continue
        if dv.sha256 != sha:
            errors[f"{where}/sha256"] = [
                _("%(version)s has sha256 %(sha256)s; you named %(named)s.")
                % {"version": dv, "sha256": dv.sha256, "named": sha or _("none")}
            ]
            continue
        problem = dataset_version_problem(dv)
        if problem:
            errors[where] = [
                _("%(version)s cannot be training data: %(problem)s")
                % {"version": dv, "problem": problem}
            ]
            continue
        found.append((dv, sha))
    return found


def _resolve_base(ref: str, actor, errors: dict) -> ModelVersion | None:
    if not ref:
        return None
    slug, _sep, label = ref.partition("@")
    base = (
        ModelVersion.objects.select_related("model").filter(model__slug=slug, version=label).first()
    )
    if base is None or not base.model.can_view(actor):
        errors["base_model"] = [_("No model version %(ref)r (use slug@version).") % {"ref": ref}]
    return base


def _inspect(files: list[IncomingFile], rules: dict) -> tuple[list[dict], dict[str, dict]]:
    """Header checks of every safetensors file; ``(issues, tensors)``."""
    issues: list[dict] = []
    tensors: dict[str, dict] = {}
    for f in files:
        if not f.path.endswith(".safetensors"):
            continue
        source = f.upload if f.upload is not None else f.header
        if source is None:
            issues.append(
                {
                    "file": f.path,
                    "pointer": "",
                    "message": "Declared weights without a header: upload the header as "
                    f"'header:{f.path}' so it can be checked.",
                }
            )
            continue
        size = f.upload.size if f.upload is not None else f.size
        if f.upload is None and f.header is not None and f.header.size > (f.size or 0):
            issues.append(
                {
                    "file": f.path,
                    "pointer": "",
                    "message": "The header is larger than the declared file.",
                }
            )
            continue
        source.seek(0)
        try:
            header = st.read_header(source, None if f.upload is None else size)
        except st.HeaderError as exc:
            issues.append({"file": f.path, "pointer": exc.pointer, "message": exc.message})
            continue
        finally:
            source.seek(0)
        if f.upload is None:
            # Only the header came: check the offsets against the declared size.
            data_size = (f.size or 0) - 8 - header.header_size
            last = max((t["data_offsets"][1] for t in header.tensors.values()), default=0)
            if last > data_size:
                header.issues.append(
                    {
                        "pointer": "",
                        "message": f"Tensors end at byte {last:,} of the data; the declared file holds {data_size:,}.",
                    }
                )
        issues.extend({"file": f.path, **i} for i in header.issues)
        issues.extend({"file": f.path, **i} for i in st.check_rules(header, rules))
        tensors[f.path] = header.summary()
    return issues, tensors


def manifest_of(files: list[IncomingFile]) -> list[dict[str, Any]]:
    rows = []
    for f in sorted(files, key=lambda f: f.path):
        rows.append(
            {
                "path": f.path,
                "role": f.role,
                "size": f.upload.size if f.verified else f.size,
                "sha256": f.upload.sha256 if f.verified else f.sha256,
                "verified": f.verified,
                "url": f.url or None,
            }
        )
    return rows


def version_register(
    *,
    model: Model,
    actor,
    version: str,
    card: Any,
    card_body: str = "",
    training_data: Any,
    base_model: str = "",
    files: list[IncomingFile],
    external: Any = None,
) -> ModelVersion:
    """Register an immutable version of ``model``: every input is checked first (400 with the
    errors by field, file and JSON pointer), the uploaded files are stored, then the version,
    its files and lineage are written in one transaction and ``model.version_registered`` is
    published. Header checks that fail do not refuse the registration: they are the version's
    ``checks``, and the release gate stays closed while any fails."""
    require_maintainer(actor, model)
    errors: dict[str, list[str]] = {}
    version = (version or "").strip()
    if not SEMVER_RE.match(version) or len(version) > 64:
        errors["version"] = [_("A semantic version such as 0.1.0 or 0.1.0-alpha.1.")]
    card_obj = _json_field(card, "card", dict, errors)
    if "card" not in errors:
        for pointer, messages in metadata_errors(
            model.standard_version.schema, card_obj, prefix="card"
        ).items():
            errors[pointer if pointer != "card" else "card"] = messages
    if isinstance(external, list) and all(isinstance(f, IncomingFile) for f in external):
        declared = external  # parsed by the API view (which attached the header parts)
    else:
        declared = parse_external(external, errors)
    every = [*files, *declared]
    if not every:
        errors["files"] = [_("Send at least one file (file:<role>:<path>) or an external entry.")]
    _check_paths(every, errors)
    lineage = _resolve_training(training_data, actor, errors)
    base = _resolve_base((base_model or "").strip(), actor, errors)
    if errors:
        raise Invalid(_first(errors), errors=errors)
    if ModelVersion.objects.filter(model=model, version=version).exists():
        raise Conflict(
            _("%(model)s already has a version %(version)s; versions are immutable.")
            % {"model": model.slug, "version": version},
            errors={"version": [_("This version exists.")]},
        )
    issues, tensors = _inspect(every, model.standard_version.artifact_rules or {})
    manifest = manifest_of(every)
    if not any(f["role"] == ModelFile.Role.WEIGHTS for f in manifest):
        issues.append({"file": "", "pointer": "", "message": "The manifest has no weights file."})
    obj = ModelVersion(
        model=model,
        version=version,
        manifest=manifest,
        manifest_sha256=sha256_of(manifest),
        checks={"passed": not issues, "issues": issues},
        tensors=tensors,
        card=card_obj,
        card_body=card_body or "",
        base_model=base,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rows = []
    stored: list[str] = []
    try:
        # Bytes move before the transaction (no row lock held meanwhile); removed on failure.
        for f in files:
            row = ModelFile(
                version=obj,
                path=f.path,
                role=f.role,
                size=f.upload.size,
                sha256=f.upload.sha256,
                verified=True,
            )
            f.upload.seek(0)
            row.file.save(f.path.rsplit("/", 1)[-1], f.upload, save=False)
            stored.append(row.file.name)
            rows.append(row)
        rows += [
            ModelFile(
                version=obj,
                path=f.path,
                role=f.role,
                size=f.size,
                sha256=f.sha256,
                verified=False,
                url=f.url,
            )
            for f in declared
        ]
        with transaction.atomic():
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:
                raise Conflict(
                    _("%(model)s already has a version %(version)s.")
                    % {"model": model.slug, "version": version},
                    errors={"version": [_("This version exists.")]},
                ) from None
            for row in rows:
                row.version = obj
            ModelFile.objects.bulk_create(rows)
            TrainingData.objects.bulk_create(
                [TrainingData(version=obj, dataset_version=dv, sha256=sha) for dv, sha in lineage]
            )
            Model.objects.filter(pk=model.pk).update(updated_at=timezone.now())
            events.publish(
                "model.version_registered",
                {
                    "model": model.slug,
                    "name": model.name,
                    "version": obj.version,
                    "manifest_sha256": obj.manifest_sha256,
                    "files": len(manifest),
                    "training_data": training_refs(obj),
                    "base_model": base.ref if base else None,
                    "checks_passed": obj.checks["passed"],
                },
                actor=actor,
                group=model.group,
                public=model.is_public,
                url=obj.get_absolute_url(),
                subject=model_subject(model),
                objects={"version": obj},
            )
    except BaseException:
        for name in stored:
            with contextlib.suppress(OSError):
                ModelFile.file.field.storage.delete(name)
        raise
    return obj


# --- release -------------------------------------------------------------------------------


def propose_release(
    *, version: ModelVersion, actor, title: str = "", summary: str = "", body: str = ""
):
    """Open a ``model_release`` draft in the model's group, targeting the manifest sha256."""
    from governance import services as governance_services

    from . import gate

    model = version.model
    require_maintainer(actor, model)
    verdict = gate.verdict(version)
    if not verdict["open"]:
        raise Conflict(gate.closed_message(verdict), errors={"gate": verdict["reasons"]})
    return governance_services.proposal_create(
        group=model.group,
        author=actor,
        kind="model_release",
        title=title or f"Release {model.name} {version.version}",
        summary=summary
        or f"Release {version.ref} (manifest sha256 {version.manifest_sha256[:12]}…).",
        body=body
        or (
            f"Model version: {settings.SITE_URL}{version.get_absolute_url()}\n\n"
            f"- Manifest sha256: `{version.manifest_sha256}`\n"
            + "".join(
                f"- Trained on {t['dataset']}@{t['version']} (`{t['sha256']}`)\n"
                for t in training_refs(version)
            )
        ),
        target={"type": "model_version", "id": version.pk, "sha256": version.manifest_sha256},
    )


def model_lookup(user, slug: str) -> Model:
    model = (
        Model.objects.select_related("group", "owner", "standard_version__standard")
        .filter(slug=slug)
        .first()
    )
    if model is None or not model.can_view(user):
        raise NotFound(_("No such model."))
    return model
