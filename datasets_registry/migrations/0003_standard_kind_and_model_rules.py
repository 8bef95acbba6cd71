"""Metadata standards get a kind (dataset or model) and versions get artifact rules (for a model
standard: what its weight files' safetensors headers must carry). OMI Model Card 1.0.0 is shipped,
adopted, from ``models_registry/standards/omi-model-card-1.0.0.json`` (immutable: a new version
gets a new file and migration)."""

import hashlib
import json
from pathlib import Path

from django.db import migrations, models
from django.utils import timezone

CARD = (
    Path(__file__).resolve().parent.parent.parent
    / "models_registry"
    / "standards"
    / "omi-model-card-1.0.0.json"
)


def canonical_sha256(obj) -> str:
    data = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def ship_model_card(apps, schema_editor):
    WorkingGroup = apps.get_model("governance", "WorkingGroup")
    MetadataStandard = apps.get_model("datasets_registry", "MetadataStandard")
    StandardVersion = apps.get_model("datasets_registry", "StandardVersion")
    card = json.loads(CARD.read_text(encoding="utf-8"))
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
            "kind": "model",
        },
    )
    if StandardVersion.objects.filter(standard=standard, version=card["version"]).exists():
        return
    content = {
        "standard": standard.slug,
        "version": card["version"],
        "schema": card["schema"],
        "rules": card["rules"],
        "changelog": card["changelog"],
        "artifact_rules": card["artifact_rules"],
    }
    now = timezone.now()
    StandardVersion.objects.create(
        standard=standard,
        version=card["version"],
        schema=card["schema"],
        rules=card["rules"],
        artifact_rules=card["artifact_rules"],
        changelog=card["changelog"],
        status="adopted",
        sha256=canonical_sha256(content),
        created_at=now,
        updated_at=now,
        adopted_at=now,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("datasets_registry", "0002_omi_dataset_card"),
        ("governance", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="metadatastandard",
            name="kind",
            field=models.CharField(
                choices=[("dataset", "Dataset metadata"), ("model", "Model card and weight files")],
                default="dataset",
                help_text="What the standard describes: datasets (card + caption rules) or models "
                "(model card + artifact rules for weight files).",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="standardversion",
            name="artifact_rules",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Model standards: rules for weight files (metadata_schema over the "
                "safetensors __metadata__, allowed_dtypes, max_tensors, max_parameters).",
            ),
        ),
        migrations.RunPython(ship_model_card, migrations.RunPython.noop),
    ]
