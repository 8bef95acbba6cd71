"""A form generated from a JSON Schema, and the JSON read back from its fields (issue 16, defect 4).

Reusable for any card written against a schema (dataset cards, model cards)::

    root = schema_fields(schema, value=metadata, errors=errors_by_pointer, prefix="card")
    # render templates/includes/schema_form.html with root=root
    metadata = form_value(schema, request.POST, prefix="card")

Each input is named ``prefix`` + the JSON pointer of its value (``card/creators/0/name``), so the
fields of a posted form map back onto the document without JavaScript; ``errors`` keyed by the
same pointers (as ``metadata_errors`` gives them, without their ``/metadata`` prefix) sit beside
their fields. Supported: nested objects, arrays of objects (each item a group, plus
``extra_items`` blank ones to add to without JavaScript), arrays of strings (one per line),
arrays of enums (checkboxes), enums (a select), strings, integers, numbers and booleans; the
limits (minLength, minimum, minItems…) are stated in words and set as HTML constraints, so the
browser checks them as one types. Conditionals (``if``/``then``) are left to the server's
validation, whose messages come back beside the fields.

``labels`` names fields by property name and ``value_labels`` shows enum values, in the reader's
language (``datasets_registry/card_words.py`` for the dataset card); without one, a label is made
from the property name ("source_datasets": "Source datasets") and a value is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LONG_TEXT_MIN = 10  # strings that must say at least this much get a textarea


@dataclass
class Node:
    pointer: str
    name: str
    label: str
    kind: str  # object, array, lines, multi_enum, enum, text, string, integer, number, boolean
    required: bool = False
    description: str = ""
    limits: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    choice_labels: list[str] = field(default_factory=list)
    value: Any = None
    errors: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def options(self) -> list[tuple[str, str]]:
        """The choices as (value, what the reader sees)."""
        return list(zip(self.choices, self.choice_labels or self.choices, strict=False))

    @property
    def id(self) -> str:
        return "sf" + self.name.replace("/", "-").replace("~", "_")

    @property
    def lines(self) -> str:
        return "\n".join(str(v) for v in self.value or [])


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _kind(schema: dict) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        return "enum"
    if kind == "array":
        items = schema.get("items") or {}
        if "enum" in items:
            return "multi_enum"
        if items.get("type") == "object":
            return "array"
        return "lines"
    if kind == "object":
        return "object"
    if kind in ("integer", "number", "boolean"):
        return kind
    if (schema.get("minLength") or 0) >= LONG_TEXT_MIN:
        return "text"
    return "string"


def limits_of(schema: dict) -> tuple[list[str], dict[str, Any]]:
    """The schema's limits in words, and as HTML constraint attributes."""
    words: list[str] = []
    attrs: dict[str, Any] = {}
    if "minLength" in schema and schema["minLength"] > 1:
        n = schema["minLength"]
        words.append(
            ngettext("at least %(count)s character", "at least %(count)s characters", n)
            % {"count": n}
        )
        attrs["minlength"] = schema["minLength"]
    if "maxLength" in schema:
        n = schema["maxLength"]
        words.append(
            ngettext("at most %(count)s character", "at most %(count)s characters", n)
            % {"count": n}
        )
        attrs["maxlength"] = schema["maxLength"]
    if "minimum" in schema:
        words.append(_("at least %(number)s") % {"number": schema["minimum"]})
        attrs["min"] = schema["minimum"]
    if "maximum" in schema:
        words.append(_("at most %(number)s") % {"number": schema["maximum"]})
        attrs["max"] = schema["maximum"]
    if "minItems" in schema and schema["minItems"] > 0:
        n = schema["minItems"]
        words.append(
            ngettext("at least %(count)s item", "at least %(count)s items", n) % {"count": n}
        )
    if "maxItems" in schema:
        n = schema["maxItems"]
        words.append(
            ngettext("at most %(count)s item", "at most %(count)s items", n) % {"count": n}
        )
    if schema.get("format") in ("uri", "date", "email"):
        fmt = {"uri": _("a web address (https://…)"), "date": _("a date (YYYY-MM-DD)")}
        words.append(fmt.get(schema["format"], _("an e-mail address")))
    elif "pattern" in schema:
        words.append(_("matching %(pattern)s") % {"pattern": schema["pattern"]})
    return words, attrs


def schema_fields(
    schema: dict,
    value: Any = None,
    *,
    prefix: str = "card",
    errors: dict[str, list[str]] | None = None,
    extra_items: int = 1,
    pointer: str = "",
    name: str = "",
    required: bool = True,
    enclosing_required: bool = True,
    labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, str] | None = None,
) -> Node:
    """The form's tree for ``value`` under ``schema`` (see the module docstring)."""
    errors = errors or {}
    labels, value_labels = labels or {}, value_labels or {}
    kind = _kind(schema)
    words, attrs = limits_of(schema)
    # The browser's "required" only where the field and everything around it is required: a
    # blank extra item, or an optional group left empty, must not be refused.
    must = required and enclosing_required
    if kind in ("string", "text", "enum", "integer", "number") and must:
        attrs["required"] = True
    input_type = {"uri": "url", "date": "date", "email": "email"}.get(schema.get("format", ""))
    if input_type:
        attrs["type"] = input_type
    node = Node(
        pointer=pointer or "/",
        name=prefix + pointer,
        label=schema.get("title") or str(labels.get(name) or _label(name))
        if name
        else schema.get("title", ""),
        kind=kind,
        required=required,
        description=schema.get("description", ""),
        limits=words,
        choices=(
            choices := [
                str(c) for c in schema.get("enum") or (schema.get("items") or {}).get("enum", [])
            ]
        ),
        choice_labels=[str(value_labels.get(c, c)) for c in choices],
        value=value,
        errors=list(errors.get(pointer or "/", [])),
    )
    node.attrs = attrs
    if kind == "object":
        props = schema.get("properties") or {}
        needed = set(schema.get("required") or [])
        current = value if isinstance(value, dict) else {}
        node.children = [
            schema_fields(
                sub,
                current.get(key),
                prefix=prefix,
                errors=errors,
                extra_items=extra_items,
                pointer=f"{pointer}/{_escape(key)}",
                name=key,
                required=key in needed,
                enclosing_required=must,
                labels=labels,
                value_labels=value_labels,
            )
            for key, sub in props.items()
        ]
    elif kind == "array":
        items = value if isinstance(value, list) else []
        item_schema = schema.get("items") or {}
        count = len(items) + extra_items if items or extra_items else 0
        count = max(count, schema.get("minItems", 0))
        for i in range(count):
            child = schema_fields(
                item_schema,
                items[i] if i < len(items) else None,
                prefix=prefix,
                errors=errors,
                extra_items=extra_items,
                pointer=f"{pointer}/{i}",
                name=name,
                required=i < max(len(items), schema.get("minItems", 0)),
                enclosing_required=must,
                labels=labels,
                value_labels=value_labels,
            )
            # "Creators 1" reads oddly and "Creator 1" cannot be made from a translated plural:
            # the list's label and the item's number, as one message.
            child.label = (
                _("%(list)s: item %(number)s")
                % {"list": labels.get(name) or _label(name), "number": i + 1}
                if name
                else _("Item %(number)s") % {"number": i + 1}
            )
            node.children.append(child)
    # Errors about items of a list written one per line belong to the list's field.
    if kind in ("lines", "multi_enum"):
        for key, messages in errors.items():
            if key.startswith(f"{pointer}/"):
                node.errors.extend(
                    _("item %(number)s: %(message)s")
                    % {"number": key[len(pointer) + 1 :], "message": m}
                    for m in messages
                )
    return node


def form_value(schema: dict, data, *, prefix: str = "card", pointer: str = "") -> Any:
    """The JSON value the posted ``data`` (a QueryDict) spells for ``schema``; empty optional
    values are left out, so a blank field means "not given" and the schema says if that is
    allowed. Numbers that do not parse are kept as text, for the validator to name."""
    kind = _kind(schema)
    name = prefix + pointer
    if kind == "object":
        out = {}
        for key, sub in (schema.get("properties") or {}).items():
            v = form_value(sub, data, prefix=prefix, pointer=f"{pointer}/{_escape(key)}")
            if v not in (None, "", [], {}):
                out[key] = v
        return out
    if kind == "array":
        indices = sorted(
            {
                int(k[len(name) + 1 :].split("/", 1)[0])
                for k in data
                if k.startswith(name + "/") and k[len(name) + 1 :].split("/", 1)[0].isdigit()
            }
        )
        items = [
            form_value(schema.get("items") or {}, data, prefix=prefix, pointer=f"{pointer}/{i}")
            for i in indices
        ]
        return [item for item in items if item not in (None, "", {}, [])]
    if kind == "multi_enum":
        return [v for v in data.getlist(name) if v]
    if kind == "lines":
        return [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
    raw = data.get(name)
    if raw is None or raw == "":
        return None
    if kind == "boolean":
        return {"yes": True, "no": False}.get(raw, raw)
    if kind in ("integer", "number"):
        try:
            return int(raw) if kind == "integer" else float(raw)
        except ValueError:
            return raw
    return raw
