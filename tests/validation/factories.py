"""Datasets with uploaded caption files, created through the registry's services (as users do)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from datasets_registry import services as registry
from datasets_registry.bootstrap import ensure_omi_dataset_card
from datasets_registry.standards import example_card
from tests.factories import UserFactory

METADATA = example_card()  # the card shipped beside the standard

CLEAN = [
    "A black Honda motorcycle parked in front of a garage.",
    "A giraffe stands alone outdoors at the zoo.",
    "Two people on a beach flying a kite.",
    "A cat sleeping on a warm laptop keyboard.",
]

# Known defects: row 2 empty (error), row 3 placeholder (error) and too short (warning),
# row 5 repeats row 1 (warning), row 6 has trailing whitespace (warning).
DEFECTS = [
    {"file_name": "a/1.jpg", "text": CLEAN[0], "license": "CC-BY-4.0"},
    {"file_name": "a/2.jpg", "text": "", "license": "CC-BY-4.0"},
    {"file_name": "a/3.jpg", "text": "untitled", "license": "CC-BY-4.0"},
    {"file_name": "a/4.jpg", "text": CLEAN[1], "license": "CC-BY-4.0"},
    {"file_name": "a/5.jpg", "text": CLEAN[0], "license": "CC-BY-4.0"},
    {"file_name": "a/6.jpg", "text": CLEAN[2] + " ", "license": "CC-BY-4.0"},
]


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def make_dataset(owner=None, *, visibility="public", slug=None):
    owner = owner or UserFactory()
    return registry.dataset_register(
        actor=owner,
        name=f"Captions of {owner.username}",
        slug=slug,
        license="CC-BY-4.0",
        standard=ensure_omi_dataset_card(),
        metadata=METADATA,
        visibility=visibility,
    )


def upload(dataset, data: bytes, *, name="captions.jsonl", version="1.0.0", actor=None, **kwargs):
    return registry.dataset_version_create(
        dataset=dataset,
        actor=actor or dataset.owner,
        upload=SimpleUploadedFile(name, data),
        version=version,
        **kwargs,
    )
