"""The caption rule set: which checks run, with which thresholds and severities.

A rule set is plain JSON, stored in each ``StandardVersion.rules`` and snapshotted into every
validation run::

    {
      "rules": {
        "caption_too_long": {"enabled": true, "severity": "warning", "max_chars": 1000, "max_words": 200},
        "clip_token_limit": {"severity": "error", "max_tokens": 77},
        ...
      },
      "columns": {"caption": "text", "image": "file_name", "license": "license"},
      "required_columns": ["caption"],
      "allowed_languages": ["en"],
      "banned_terms": ["..."],
      "allowed_licenses": ["CC-BY-4.0", "CC0-1.0"]
    }

Every key is optional: :func:`resolve_ruleset` fills in :data:`DEFAULT_RULESET`. Rule codes are
stable (reports, API filters and stored counts use them); new rules may be added, none renamed.

- ``rules.<code>.enabled`` / ``severity`` (``"error"`` or ``"warning"``) exist on every rule; the
  other keys are that rule's parameters (see :data:`RULES`).
- ``columns`` maps the roles ``caption``, ``image``, ``license`` to column names; a role left out is
  detected from common names (``text``/``caption``, ``file_name``/``image``/``url``, ``license``).
- ``required_columns`` lists the roles that must be present (``missing_column`` otherwise).
- ``allowed_languages`` (ISO 639-1 codes): the ``language_not_allowed`` rule runs only when it is
  non-empty. ``banned_terms``: case-insensitive whole-word terms. ``allowed_licenses``: SPDX ids
  (or ``LicenseRef-…``) a row's licence must be one of, when non-empty.

Public: :data:`RULES`, :data:`DEFAULT_RULESET`, :data:`RULESET_SCHEMA`, :func:`validate_ruleset`,
:func:`resolve_ruleset`. Imports no Django.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from . import messages as M
from .formats import ROLES
from .messages import gettext_noop

SEVERITIES = ("error", "warning")
SCHEMA_PATH = Path(__file__).with_name("ruleset.schema.json")

_INT = {"type": "integer", "minimum": 0}
_POS_INT = {"type": "integer", "minimum": 1}

# code -> definition. ``params`` maps each parameter to (JSON Schema, default). ``explanation`` is
# what a dataset author reads next to a failing row.
RULES: dict[str, dict[str, Any]] = {
    # --- file and row structure (reported by the readers) ---
    "unreadable_row": {
        "severity": "error",
        "title": gettext_noop("Row cannot be parsed"),
        "explanation": gettext_noop(
            "The row is not valid JSON, has the wrong number of fields, or cannot be "
            "decoded. It was skipped; fix the row so that its caption can be checked."
        ),
        "params": {},
    },
    "invalid_utf8": {
        "severity": "error",
        "title": gettext_noop("Invalid UTF-8"),
        "explanation": gettext_noop(
            "The row contains bytes that are not valid UTF-8 (often a file saved in "
            "another encoding, or mixed encodings). Save the file as UTF-8."
        ),
        "params": {},
    },
    "line_too_long": {
        "severity": "error",
        "title": gettext_noop("Line too long"),
        "explanation": gettext_noop(
            "A single line is longer than the reader accepts; it was skipped."
        ),
        "params": {"max_bytes": ({"type": "integer", "minimum": 1024}, 16 * 1024 * 1024)},
    },
    "empty_file": {
        "severity": "error",
        "title": gettext_noop("No data rows"),
        "explanation": gettext_noop(
            "The file has no data rows (it is empty, or a CSV file has only its header)."
        ),
        "params": {},
    },
    "missing_column": {
        "severity": "error",
        "title": gettext_noop("Required column missing"),
        "explanation": gettext_noop(
            "A column that the standard requires (the caption, and possibly the image "
            "reference or licence) is not in the file, or the row has no value for it."
        ),
        "params": {},
    },
    # --- caption content ---
    "caption_missing": {
        "severity": "error",
        "title": gettext_noop("Caption missing or not text"),
        "explanation": gettext_noop("The caption is null or not a string."),
        "params": {},
    },
    "caption_empty": {
        "severity": "error",
        "title": gettext_noop("Empty caption"),
        "explanation": gettext_noop("The caption is empty or contains only whitespace."),
        "params": {},
    },
    "caption_too_short": {
        "severity": "warning",
        "title": gettext_noop("Caption too short"),
        "explanation": gettext_noop(
            "The caption has fewer characters or words than the standard asks for; very "
            "short captions rarely describe an image."
        ),
        "params": {"min_chars": (_INT, 10), "min_words": (_INT, 3)},
    },
    "caption_too_long": {
        "severity": "warning",
        "title": gettext_noop("Caption too long"),
        "explanation": gettext_noop(
            "The caption has more characters or words than the standard allows."
        ),
        "params": {"max_chars": (_POS_INT, 1000), "max_words": (_POS_INT, 200)},
    },
    "clip_token_limit": {
        "severity": "warning",
        "title": gettext_noop("Over the CLIP token limit"),
        "explanation": gettext_noop(
            "Counted with the CLIP BPE tokenizer (start and end tokens included), the "
            "caption is longer than the text encoder's context; the end would be cut off in training."
        ),
        "params": {"max_tokens": (_POS_INT, 77)},
    },
    "language_not_allowed": {
        "severity": "warning",
        "title": gettext_noop("Language not allowed"),
        "explanation": gettext_noop(
            "The caption's detected language is not one the standard allows. Detection "
            "is statistical: very short captions are skipped."
        ),
        "params": {
            "min_chars": (_INT, 20),
            "min_confidence": ({"type": "number", "minimum": 0, "maximum": 1}, 0.8),
        },
    },
    "stray_whitespace": {
        "severity": "warning",
        "title": gettext_noop("Stray whitespace"),
        "explanation": gettext_noop(
            "The caption starts or ends with whitespace, or contains repeated spaces or "
            "tabs. Trim it so that equal captions compare equal."
        ),
        "params": {},
    },
    "embedded_newline": {
        "severity": "warning",
        "title": gettext_noop("Line break inside caption"),
        "explanation": gettext_noop(
            "The caption contains a line break; most training pipelines expect one line."
        ),
        "params": {},
    },
    "control_characters": {
        "severity": "error",
        "title": gettext_noop("Control characters"),
        "explanation": gettext_noop(
            "The caption contains invisible control characters (NUL, escape, zero-width "
            "or bidirectional controls) that corrupt training text."
        ),
        "params": {},
    },
    "mojibake": {
        "severity": "warning",
        "title": gettext_noop("Garbled text (mojibake)"),
        "explanation": gettext_noop(
            "The caption contains sequences such as 'Ã©' or 'â€™' that appear when UTF-8 "
            "text was decoded with the wrong encoding, or the replacement character '�'."
        ),
        "params": {},
    },
    "duplicate_caption": {
        "severity": "warning",
        "title": gettext_noop("Duplicate caption"),
        "explanation": gettext_noop(
            "The same caption appears earlier in the file (the first row is named)."
        ),
        "params": {},
    },
    "near_duplicate_caption": {
        "severity": "warning",
        "title": gettext_noop("Duplicate caption (ignoring case, spacing, punctuation)"),
        "explanation": gettext_noop(
            "Once case, whitespace and punctuation are ignored, this caption repeats an "
            "earlier one (the first row is named)."
        ),
        "params": {},
    },
    "placeholder_caption": {
        "severity": "error",
        "title": gettext_noop("Placeholder caption"),
        "explanation": gettext_noop(
            "The caption is a placeholder ('image', 'untitled', 'no caption', 'n/a', a "
            "file name such as IMG_1234.JPG, lorem ipsum) rather than a description."
        ),
        "params": {},
    },
    "repetition": {
        "severity": "warning",
        "title": gettext_noop("Repeated words"),
        "explanation": gettext_noop(
            "A word or phrase is repeated several times in a row, typical of broken "
            "generated captions."
        ),
        "params": {"max_repeats": ({"type": "integer", "minimum": 1}, 2)},
    },
    "banned_term": {
        "severity": "error",
        "title": gettext_noop("Banned term"),
        "explanation": gettext_noop("The caption contains a term that the standard bans."),
        "params": {},
    },
    # --- personal information and markup ---
    "contains_url": {
        "severity": "warning",
        "title": gettext_noop("URL in caption"),
        "explanation": gettext_noop(
            "The caption contains a web address; captions should describe the image."
        ),
        "params": {},
    },
    "contains_email": {
        "severity": "error",
        "title": gettext_noop("E-mail address in caption"),
        "explanation": gettext_noop(
            "The caption contains an e-mail address, which is personal information."
        ),
        "params": {},
    },
    "contains_phone": {
        "severity": "error",
        "title": gettext_noop("Phone number in caption"),
        "explanation": gettext_noop(
            "The caption contains what looks like a phone number, which is personal information."
        ),
        "params": {},
    },
    "contains_markup": {
        "severity": "warning",
        "title": gettext_noop("Markup in caption"),
        "explanation": gettext_noop(
            "The caption contains HTML tags, entities, Markdown links or BBCode."
        ),
        "params": {},
    },
    # --- image reference and licence ---
    "duplicate_image": {
        "severity": "warning",
        "title": gettext_noop("Duplicate image reference"),
        "explanation": gettext_noop(
            "The same image reference appears earlier in the file (the first row is "
            "named). Off by default: many datasets have several captions per image."
        ),
        "enabled": False,
        "params": {},
    },
    "image_missing": {
        "severity": "error",
        "title": gettext_noop("Image reference missing"),
        "explanation": gettext_noop("The row has no image reference (file name or URL)."),
        "params": {},
    },
    "image_malformed": {
        "severity": "error",
        "title": gettext_noop("Malformed image reference"),
        "explanation": gettext_noop(
            "The image reference is neither a relative file path with an image extension "
            "nor an http(s) URL, or it contains spaces, control characters or '..'."
        ),
        "params": {},
    },
    "license_missing": {
        "severity": "warning",
        "title": gettext_noop("Licence missing"),
        "explanation": gettext_noop("The row has a licence column but no value in it."),
        "params": {},
    },
    "license_invalid": {
        "severity": "error",
        "title": gettext_noop("Licence not an SPDX identifier"),
        "explanation": gettext_noop(
            "The licence is not a valid SPDX licence expression (such as CC-BY-4.0) or a "
            "LicenseRef-… identifier."
        ),
        "params": {},
    },
    "license_not_allowed": {
        "severity": "error",
        "title": gettext_noop("Licence not allowed"),
        "explanation": gettext_noop(
            "The licence is valid but not in the standard's list of allowed licences."
        ),
        "params": {},
    },
}

# Reader-level rules run whenever a file is read; they can be re-graded but not switched off.
STRUCTURAL_RULES = (
    "unreadable_row",
    "invalid_utf8",
    "line_too_long",
    "empty_file",
    "missing_column",
)


def _default_rule(code: str) -> dict[str, Any]:
    spec = RULES[code]
    rule = {"enabled": spec.get("enabled", True), "severity": spec["severity"]}
    rule.update({name: default for name, (_schema, default) in spec["params"].items()})
    return rule


DEFAULT_RULESET: dict[str, Any] = {
    "rules": {code: _default_rule(code) for code in RULES},
    "columns": {},
    "required_columns": ["caption"],
    "allowed_languages": [],
    "banned_terms": [],
    "allowed_licenses": [],
}


def _build_schema() -> dict[str, Any]:
    rule_schemas = {}
    for code, spec in RULES.items():
        props: dict[str, Any] = {
            "enabled": {"type": "boolean"},
            "severity": {"enum": list(SEVERITIES)},
        }
        for name, (schema, default) in spec["params"].items():
            props[name] = {**schema, "default": default}
        rule_schemas[code] = {
            "type": "object",
            "title": spec["title"],
            "description": spec["explanation"],
            "properties": props,
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://omi-commons.org/schemas/caption-ruleset.schema.json",
        "title": gettext_noop("OMI Commons caption rule set"),
        "description": "Which caption checks run, with their thresholds and severities. Every key "
        "is optional; defaults fill in what is left out.",
        "type": "object",
        "properties": {
            "rules": {
                "type": "object",
                "properties": rule_schemas,
                "additionalProperties": False,
            },
            "columns": {
                "type": "object",
                "properties": {role: {"type": "string", "minLength": 1} for role in ROLES},
                "additionalProperties": False,
            },
            "required_columns": {
                "type": "array",
                "items": {"enum": list(ROLES)},
                "uniqueItems": True,
            },
            "allowed_languages": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[a-z]{2,3}$"},
                "uniqueItems": True,
            },
            "banned_terms": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": 200},
                "maxItems": 10000,
            },
            "allowed_licenses": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "uniqueItems": True,
            },
        },
        "additionalProperties": False,
    }


RULESET_SCHEMA: dict[str, Any] = _build_schema()


def _pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"


def validate_ruleset(obj: Any) -> dict[str, list[str]]:
    """Check a rule set; return ``{JSON pointer: [messages]}``, empty when it is valid."""
    from jsonschema import Draft202012Validator

    errors: dict[str, list[str]] = {}

    def add(pointer: str, message: str) -> None:
        errors.setdefault(pointer, []).append(message)

    validator = Draft202012Validator(RULESET_SCHEMA)
    for err in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        message = err.message
        if err.validator == "additionalProperties" and list(err.absolute_path) == ["rules"]:
            message = M.KNOWN_RULES % {"error": err.message, "rules": ", ".join(sorted(RULES))}
        add(_pointer(err.absolute_path), message)
    if errors or not isinstance(obj, dict):
        return errors

    # Semantic checks the schema cannot express.
    rules = obj.get("rules") or {}
    short = {**DEFAULT_RULESET["rules"]["caption_too_short"], **rules.get("caption_too_short", {})}
    long_ = {**DEFAULT_RULESET["rules"]["caption_too_long"], **rules.get("caption_too_long", {})}
    if short["enabled"] and long_["enabled"]:
        for lo, hi in (("min_chars", "max_chars"), ("min_words", "max_words")):
            if short[lo] > long_[hi]:
                add(
                    f"/rules/caption_too_short/{lo}",
                    M.MIN_OVER_MAX
                    % {"low": lo, "low_value": short[lo], "high": hi, "high_value": long_[hi]},
                )
    for code, rule in rules.items():
        if code in STRUCTURAL_RULES and rule.get("enabled") is False:
            add(f"/rules/{code}/enabled", M.STRUCTURAL_RULE_OFF % {"code": code})
    for i, lic in enumerate(obj.get("allowed_licenses") or []):
        if not _valid_license_id(lic):
            add(f"/allowed_licenses/{i}", M.NOT_A_LICENSE_ID % {"value": repr(lic)})
    for i, term in enumerate(obj.get("banned_terms") or []):
        if not term.strip():
            add(f"/banned_terms/{i}", M.BLANK_BANNED_TERM)
    return errors


def _valid_license_id(value: str) -> bool:
    from .licenses import is_valid_spdx

    return is_valid_spdx(value)


def resolve_ruleset(obj: dict[str, Any] | None) -> dict[str, Any]:
    """Return the effective rule set: ``obj`` laid over :data:`DEFAULT_RULESET`, every key present.

    ``obj`` should have passed :func:`validate_ruleset`; unknown keys are ignored here.
    The result is plain JSON (suitable for a run's snapshot).
    """
    effective = copy.deepcopy(DEFAULT_RULESET)
    if not obj:
        return effective
    for code, rule in (obj.get("rules") or {}).items():
        if code in effective["rules"] and isinstance(rule, dict):
            effective["rules"][code].update(rule)
    for code in STRUCTURAL_RULES:
        effective["rules"][code]["enabled"] = True
    for key in ("columns",):
        if isinstance(obj.get(key), dict):
            effective[key] = {k: v for k, v in obj[key].items() if k in ROLES and v}
    for key in ("required_columns", "allowed_languages", "banned_terms", "allowed_licenses"):
        if isinstance(obj.get(key), list):
            effective[key] = list(obj[key])
    return effective
