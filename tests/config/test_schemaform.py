"""config.schemaform: a JSON Schema as form fields, and the posted fields back as JSON."""

import json
from pathlib import Path

from django.http import QueryDict

from config.schemaform import form_value, schema_fields

ROOT = Path(__file__).resolve().parents[2]
CARD = json.loads((ROOT / "datasets_registry/standards/omi-dataset-card-1.0.0.json").read_text())[
    "schema"
]


def walk(node):
    yield node
    for child in node.children:
        yield from walk(child)


def by_pointer(root):
    return {n.pointer: n for n in walk(root)}


def test_nested_objects_arrays_enums_limits_and_help():
    root = schema_fields(CARD, {"creators": [{"name": "Ada"}]})
    nodes = by_pointer(root)
    assert nodes["/provenance"].kind == "text"
    assert "at least 20 characters" in nodes["/provenance"].limits
    assert nodes["/provenance"].attrs["minlength"] == 20
    assert nodes["/provenance"].required and nodes["/provenance"].description
    # An array of objects: the existing item, and one blank one to add without JavaScript.
    assert nodes["/creators/0/name"].value == "Ada"
    assert "/creators/1/name" in nodes and "/creators/2/name" not in nodes
    assert nodes["/creators/0/type"].kind == "enum"
    assert nodes["/creators/0/type"].choices == ["person", "organization"]
    assert nodes["/captioning/method"].choices == ["human", "model", "mixed"]
    assert nodes["/captioning/captions_per_image"].kind == "integer"
    assert nodes["/captioning/captions_per_image"].attrs["min"] == 1
    assert nodes["/collection/types"].kind == "multi_enum"
    assert nodes["/languages"].kind == "lines"
    assert "at least 1 item" in nodes["/languages"].limits
    assert nodes["/collection/timeframe/start"].attrs["type"] == "date"


def test_errors_sit_beside_their_fields():
    errors = {"/provenance": ["Write at least 20 characters; this has 7."], "/languages/0": ["x"]}
    nodes = by_pointer(schema_fields(CARD, {}, errors=errors))
    assert nodes["/provenance"].errors == ["Write at least 20 characters; this has 7."]
    assert nodes["/languages"].errors == ["item 0: x"]


def test_the_posted_fields_read_back_as_the_card():
    data = QueryDict(mutable=True)
    data.update(
        {
            "card/provenance": "Photographs I took in 2024, captioned by me.",
            "card/creators/0/name": "Ada",
            "card/creators/0/type": "person",
            "card/creators/1/name": "",  # the blank extra item is dropped
            "card/captioning/method": "human",
            "card/captioning/captions_per_image": "2",
            "card/languages": "en\n\nfr \n",
            "card/collection/method": "Selected by hand.",
        }
    )
    data.setlist("card/collection/types", ["manual_curation", "synthetic"])
    card = form_value(CARD, data)
    assert card["creators"] == [{"name": "Ada", "type": "person"}]
    assert card["captioning"] == {"method": "human", "captions_per_image": 2}
    assert card["languages"] == ["en", "fr"]
    assert card["collection"] == {
        "method": "Selected by hand.",
        "types": ["manual_curation", "synthetic"],
    }
    assert "contact" not in card  # nothing given: left out, for the schema to require


def test_a_round_trip_keeps_a_valid_card():
    from tests.registry.factories import VALID_METADATA

    root = schema_fields(CARD, VALID_METADATA, extra_items=0)
    data = QueryDict(mutable=True)
    for node in walk(root):
        if node.kind == "multi_enum":
            data.setlist(node.name, node.value or [])
        elif node.kind == "lines":
            data[node.name] = node.lines
        elif node.kind not in ("object", "array") and node.value is not None:
            value = node.value
            data[node.name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    assert form_value(CARD, data) == VALID_METADATA
