"""Shared by the registry services: input checks (pure) and permissions."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy, pgettext

from config.errors import NotAllowed, NotFound, TooLarge
from governance import roles

from ..models import (
    Dataset,
    MetadataStandard,
)

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
        return {"/": [_("A JSON Schema must be a JSON object.")]}
    declared = schema.get("$schema")
    if declared is not None and declared.rstrip("#") != JSON_SCHEMA_2020_12:
        return {
            "/$schema": [
                _("Only JSON Schema 2020-12 is supported (%(url)s); got %(declared)s.")
                % {"url": JSON_SCHEMA_2020_12, "declared": repr(declared)}
            ]
        }
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = _pointer(exc.absolute_path) or "/"
        return {where: [_("Not a valid JSON Schema: %(reason)s") % {"reason": exc.message}]}
    if schema.get("type", "object") != "object":
        return {
            "/type": [_("Dataset metadata is a JSON object: the schema's type must be object.")]
        }
    return {}


def metadata_errors(
    schema: dict, metadata: Any, *, prefix: str = "", translate: bool = False
) -> dict[str, list[str]]:
    """Validate ``metadata`` against ``schema``; errors keyed by JSON pointer (under ``prefix``),
    each message once per pointer. In English unless ``translate`` (then in the active
    language): what is stored (a model version's checks) stays English; what a person is told
    while filling a form is in their language."""
    with contextlib.nullcontext() if translate else translation.override("en"):
        return _metadata_errors(schema, metadata, prefix)


def _metadata_errors(schema: dict, metadata: Any, prefix: str) -> dict[str, list[str]]:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}

    def add(pointer: str, message: str) -> None:
        messages = errors.setdefault(pointer, [])
        if message not in messages:
            messages.append(message)

    for err in sorted(validator.iter_errors(metadata), key=lambda e: list(map(str, e.path))):
        path = list(err.absolute_path)
        if err.validator == "required" and isinstance(err.instance, dict):
            # Point at the missing property, not at its parent. jsonschema reports one error per
            # missing property, each carrying the whole list: without the check in ``add`` every
            # missing field would be reported once per missing sibling.
            for name in err.validator_value:
                if name not in err.instance:
                    add(prefix + _pointer([*path, name]), _("This field is required."))
            continue
        add(prefix + _pointer(path) or prefix or "/", error_message(err))
    return errors


# jsonschema's limits in words that state them ("at least 20 characters; this has 8"), where
# its own message ("'COCO's.' is too short") leaves the limit out. Length and item counts take
# the limit's plural; bounds do not.
_COUNTED_LIMITS = {
    ("minLength", str): ngettext_lazy(
        "Write at least %(limit)s character; this has %(length)s.",
        "Write at least %(limit)s characters; this has %(length)s.",
        "limit",
    ),
    ("maxLength", str): ngettext_lazy(
        "Write at most %(limit)s character; this has %(length)s.",
        "Write at most %(limit)s characters; this has %(length)s.",
        "limit",
    ),
    ("minItems", list): ngettext_lazy(
        "Give at least %(limit)s item; this has %(length)s.",
        "Give at least %(limit)s items; this has %(length)s.",
        "limit",
    ),
    ("maxItems", list): ngettext_lazy(
        "Give at most %(limit)s item; this has %(length)s.",
        "Give at most %(limit)s items; this has %(length)s.",
        "limit",
    ),
}
_BOUNDS = {
    "minimum": gettext_lazy("Must be at least %(limit)s; this is %(value)s."),
    "exclusiveMinimum": gettext_lazy("Must be more than %(limit)s; this is %(value)s."),
    "maximum": gettext_lazy("Must be at most %(limit)s; this is %(value)s."),
    "exclusiveMaximum": gettext_lazy("Must be less than %(limit)s; this is %(value)s."),
}


def error_message(err) -> str:
    """A jsonschema error in words that state the limit (see ``_COUNTED_LIMITS``), in the
    active language."""
    limit, value = err.validator_value, err.instance
    kind = err.validator
    counted = _COUNTED_LIMITS.get((kind, type(value)))
    if counted is not None:
        return counted % {"limit": limit, "length": len(value)}
    if kind in _BOUNDS:
        return _BOUNDS[kind] % {"limit": limit, "value": repr(value)}
    if kind == "enum":
        return _("Choose one of: %(choices)s (not %(value)s).") % {
            "choices": ", ".join(map(str, limit)),
            "value": repr(value),
        }
    if kind == "type":
        if isinstance(limit, list):
            wanted = (" " + pgettext("between JSON types", "or") + " ").join(limit)
        else:
            wanted = limit
        return _("Must be of type %(wanted)s; this is %(actual)s.") % {
            "wanted": wanted,
            "actual": type(value).__name__,
        }
    return err.message


def file_too_large(limit: int) -> TooLarge:
    """The refusal of a file over ``limit`` bytes, the same from the service and the upload
    handler that stops the stream."""
    return TooLarge(
        _("The file is larger than the upload limit of %(limit)s bytes.") % {"limit": f"{limit:,}"},
        errors={
            "file": [
                _("Files may be at most %(limit)s bytes (DATASET_UPLOAD_MAX_BYTES).")
                % {"limit": f"{limit:,}"}
            ]
        },
    )


def license_error(expression: str) -> str | None:
    from ..captions.licenses import is_valid_spdx

    expression = (expression or "").strip()
    if not expression:
        return _("A licence is required (an SPDX expression such as CC-BY-4.0).")
    if not is_valid_spdx(expression):
        return _(
            "%(expression)s is not a valid SPDX licence expression; use identifiers from "
            "https://spdx.org/licenses/ (e.g. CC-BY-4.0, CC0-1.0, MIT OR Apache-2.0) or LicenseRef-…."
        ) % {"expression": repr(expression)}
    return None


def ruleset_errors(rules: Any) -> dict[str, list[str]]:
    from ..captions import validate_ruleset

    return validate_ruleset(rules)


def _canonical_license(expression: str) -> str:
    return expression.strip()


# --- permissions -------------------------------------------------------------------------------


def can_edit_standard(user, standard: MetadataStandard) -> bool:
    """Chairs of the owning working group, and staff."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or roles.is_chair(user, standard.group_id)


def _require_standard_editor(user, standard: MetadataStandard) -> None:
    if not can_edit_standard(user, standard):
        raise NotAllowed(
            _("Only chairs of %(group)s and staff may edit %(standard)s.")
            % {"group": standard.group.name, "standard": standard.name}
        )


def _require_maintainer(user, dataset: Dataset) -> None:
    if not dataset.can_maintain(user):
        # Someone who cannot see a private dataset must not learn that it exists.
        if not dataset.can_view(user):
            raise NotFound(_("Not found."))
        raise NotAllowed(_("Only the dataset's owner, its maintainers and staff may do this."))


def _first_message(errors: dict[str, list[str]]) -> str:
    field, messages = next(iter(errors.items()))
    more = sum(map(len, errors.values())) - 1
    if not more:
        return f"{field}: {messages[0]}"
    return ngettext(
        "%(field)s: %(message)s (and %(more)s more)",
        "%(field)s: %(message)s (and %(more)s more)",
        more,
    ) % {"field": field, "message": messages[0], "more": more}
