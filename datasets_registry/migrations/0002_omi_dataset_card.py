"""Ship OMI Dataset Card 1.0.0, adopted, so every installation has a standard to register against.

The content is read from ``datasets_registry/standards/omi-dataset-card-1.0.0.json``; an adopted
version is immutable, so that file never changes (a new version gets a new file and migration).
"""

import hashlib
import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

CARD = Path(__file__).resolve().parent.parent / "standards" / "omi-dataset-card-1.0.0.json"

GROUP_CHARTER = (
    "The Metadata Standards working group writes and maintains the metadata standards that "
    "datasets registered with the community declare, and the caption rules that workers check. "
    "Versions are adopted by proposal and vote."
)


def canonical_sha256(obj) -> str:
    # Same encoding as config.canonical.canonical_json (kept inline: migrations are frozen).
    data = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def ship_card(apps, schema_editor):
    WorkingGroup = apps.get_model("governance", "WorkingGroup")
    MetadataStandard = apps.get_model("datasets_registry", "MetadataStandard")
    StandardVersion = apps.get_model("datasets_registry", "StandardVersion")
    card = json.loads(CARD.read_text(encoding="utf-8"))
    group, _ = WorkingGroup.objects.get_or_create(
        slug="metadata-standards",
        defaults={"name": "Metadata Standards", "charter": GROUP_CHARTER},
    )
    meta = card["standard"]
    standard, _ = MetadataStandard.objects.get_or_create(
        slug=meta["slug"],
        defaults={"name": meta["name"], "group": group, "description": meta["description"]},
    )
    if StandardVersion.objects.filter(standard=standard, version=card["version"]).exists():
        return
    content = {
        "standard": standard.slug,
        "version": card["version"],
        "schema": card["schema"],
        "rules": card["rules"],
        "changelog": card["changelog"],
    }
    now = timezone.now()
    StandardVersion.objects.create(
        standard=standard,
        version=card["version"],
        schema=card["schema"],
        rules=card["rules"],
        changelog=card["changelog"],
        status="adopted",
        sha256=canonical_sha256(content),
        created_at=now,
        updated_at=now,
        adopted_at=now,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("datasets_registry", "0001_initial"),
        ("governance", "0001_initial"),
    ]

    operations = [migrations.RunPython(ship_card, migrations.RunPython.noop)]
