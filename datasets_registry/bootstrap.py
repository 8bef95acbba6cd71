"""The standard every installation ships: OMI Dataset Card 1.0.0 (also created by migration 0002).

``ensure_omi_dataset_card()`` recreates it when missing (the demo seed, and tests whose database
was flushed after the data migration ran). Idempotent.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from governance.models import WorkingGroup

from .models import MetadataStandard, StandardVersion

CARD_PATH = Path(__file__).resolve().parent / "standards" / "omi-dataset-card-1.0.0.json"
GROUP_SLUG = "metadata-standards"


def load_card() -> dict:
    return json.loads(CARD_PATH.read_text(encoding="utf-8"))


@transaction.atomic
def ensure_omi_dataset_card() -> StandardVersion:
    card = load_card()
    group, _ = WorkingGroup.objects.get_or_create(
        slug=GROUP_SLUG,
        defaults={
            "name": "Metadata Standards",
            "charter": "Writes and maintains the metadata standards and caption rules.",
        },
    )
    meta = card["standard"]
    standard, _ = MetadataStandard.objects.get_or_create(
        slug=meta["slug"],
        defaults={"name": meta["name"], "group": group, "description": meta["description"]},
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
        changelog=card["changelog"],
        status=StandardVersion.Status.ADOPTED,
        adopted_at=now,
    )
