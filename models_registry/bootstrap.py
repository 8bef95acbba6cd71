"""OMI Model Card 1.0.0, the model standard every installation ships (migration
``datasets_registry.0003_standard_kind_and_model_rules`` creates it). ``ensure_omi_model_card()``
recreates it when missing (the demo seed, tests whose database was flushed). Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from datasets_registry.models import MetadataStandard, StandardVersion
from governance.models import WorkingGroup

CARD_PATH = Path(__file__).resolve().parent / "standards" / "omi-model-card-1.0.0.json"


def load_card() -> dict:
    return json.loads(CARD_PATH.read_text(encoding="utf-8"))


@transaction.atomic
def ensure_omi_model_card() -> StandardVersion:
    card = load_card()
    group, _ = WorkingGroup.objects.get_or_create(
        slug="metadata-standards", defaults={"name": "Metadata Standards"}
    )
    meta = card["standard"]
    standard, _ = MetadataStandard.objects.get_or_create(
        slug=meta["slug"],
        defaults={
            "name": meta["name"],
            "group": group,
            "description": meta["description"],
            "kind": MetadataStandard.Kind.MODEL,
        },
    )
    existing = standard.versions.filter(version=card["version"]).first()
    if existing is not None:
        return existing
    now = timezone.now()
    return StandardVersion.objects.create(
        standard=standard,
        version=card["version"],
        schema=card["schema"],
        rules=card["rules"],
        artifact_rules=card["artifact_rules"],
        changelog=card["changelog"],
        status=StandardVersion.Status.ADOPTED,
        adopted_at=now,
    )
