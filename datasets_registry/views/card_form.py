"""The dataset card as a form generated from its standard's JSON Schema (``config.schemaform``),
with "edit as JSON" kept: which of the two the server reads is the posted ``card_mode``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, QueryDict

from config import jsonsafe
from config.schemaform import form_value, schema_fields

from .. import card_words
from ..models import StandardVersion

PREFIX = "card"


def schema_for_ref(ref: str) -> dict | None:
    """The JSON Schema of standard version ``slug@version``, or None."""
    slug, _, version = (ref or "").partition("@")
    if not slug or not version:
        return None
    return (
        StandardVersion.objects.filter(standard__slug=slug, version=version)
        .values_list("schema", flat=True)
        .first()
    )


def posted_card(request: HttpRequest) -> tuple[QueryDict, str]:
    """The posted data with ``metadata`` written from the generated form's fields when the card
    was written with the form; and the mode. A post without ``card_mode`` (scripts, older
    pages) is read as JSON, as before."""
    data = request.POST.copy()
    mode = "form" if data.get("card_mode") == "form" else "json"
    if mode == "form":
        schema = schema_for_ref(data.get("standard", ""))
        if schema:
            data["metadata"] = json.dumps(form_value(schema, data, prefix=PREFIX))
    return data, mode


def _current_value(form) -> Any:
    raw = form["metadata"].value()
    if isinstance(raw, dict | list):
        return raw
    try:
        return jsonsafe.loads(raw or "{}")
    except jsonsafe.JSONProblem:
        return {}


def card_context(
    form, *, ref: str, mode: str = "form", errors: dict[str, list[str]] | None = None
) -> dict:
    """What ``includes/schema_form.html`` needs; empty when the standard has no schema."""
    schema = schema_for_ref(ref)
    if not schema:
        return {}
    by_pointer = {
        key[len("/metadata") :] or "/": messages
        for key, messages in (errors or {}).items()
        if key.startswith("/metadata")
    }
    return {
        "card_root": schema_fields(
            schema,
            _current_value(form),
            prefix=PREFIX,
            errors=by_pointer,
            labels=card_words.LABELS,
            value_labels=card_words.VALUES,
        ),
        "card_mode": mode,
    }
