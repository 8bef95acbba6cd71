"""The dataset card reads in the reader's language (issue 18): every property name and enum value
of the shipped standards has a word in ``datasets_registry/card_words.py``, and the form and the
dataset page use them."""

import json

import pytest
from django.utils import translation

from config.schemaform import schema_fields
from datasets_registry import card_words
from datasets_registry.standards import HERE


def _shipped_schemas():
    return [
        json.loads(path.read_text(encoding="utf-8"))["schema"]
        for path in sorted(HERE.glob("*.json"))
        if not path.name.endswith(".example.json")
    ]


def _names_and_values(schema) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    values: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            names.update((node.get("properties") or {}).keys())
            values.update(str(v) for v in node.get("enum") or [])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return names, values


@pytest.mark.parametrize("schema", _shipped_schemas())
def test_every_key_and_value_of_a_shipped_standard_has_a_word(schema):
    names, values = _names_and_values(schema)
    assert names - set(card_words.LABELS) == set()
    assert values - set(card_words.VALUES) == set()


def test_the_card_form_speaks_the_readers_language():
    schema = _shipped_schemas()[0]
    with translation.override("it"):
        root = schema_fields(schema, {}, labels=card_words.LABELS, value_labels=card_words.VALUES)
        nodes = {}

        def walk(node):
            nodes[node.pointer] = node
            for child in node.children:
                walk(child)

        walk(root)
        assert nodes["/source_datasets"].label == "Dataset di origine"
        method = nodes["/captioning/method"]
        assert method.choices == ["human", "model", "mixed"]  # the values stay the codes
        assert method.options[0] == ("human", "umano")
    with translation.override("en"):
        root = schema_fields(schema, {}, labels=card_words.LABELS)
        assert {c.pointer: c.label for c in root.children}["/source_datasets"] == "Source datasets"
