"""A version's card exported as a Hugging Face ``README.md``: YAML front matter, then Markdown."""

from __future__ import annotations

import json
from typing import Any

# Card fields that are HF model-card metadata keys, in the order they are written.
FRONT_MATTER = (
    "license",
    "base_model",
    "datasets",
    "tags",
    "pipeline_tag",
    "library_name",
    "language",
)


def _yaml_value(value: Any, indent: str = "") -> str:
    # JSON scalars are valid YAML scalars; lists are written as block sequences.
    if isinstance(value, list):
        return "".join(f"\n{indent}- {json.dumps(v, ensure_ascii=False)}" for v in value)
    return " " + json.dumps(value, ensure_ascii=False)


def front_matter(version) -> dict[str, Any]:
    card = dict(version.card or {})
    # The Hub's licence identifiers are the SPDX ones in lower case (cdla-permissive-2.0).
    meta: dict[str, Any] = {"license": (card.get("license") or version.model.license).lower()}
    if version.base_model_id:
        meta["base_model"] = version.base_model.ref
    elif card.get("base_model"):
        meta["base_model"] = card["base_model"]
    meta["datasets"] = [f"{t.dataset_version.dataset.slug}" for t in version.training_data.all()]
    for key in ("tags", "pipeline_tag", "library_name", "language"):
        if card.get(key):
            meta[key] = card[key]
    return meta


SECTIONS = (
    ("model_summary", "Model summary"),
    ("intended_uses", "Intended uses"),
    ("out_of_scope_uses", "Out-of-scope uses"),
    ("limitations", "Limitations"),
    ("risks", "Risks"),
    ("training_procedure", "Training procedure"),
)


def render(version) -> str:
    meta = front_matter(version)
    lines = ["---"]
    for key in FRONT_MATTER:
        if key in meta:
            lines.append(f"{key}:{_yaml_value(meta[key])}")
    lines.append("---")
    card = version.card or {}
    out = "\n".join(lines) + f"\n\n# {version.model.name} {version.version}\n\n"
    if version.card_body:
        out += version.card_body.rstrip() + "\n\n"
    for key, title in SECTIONS:
        if card.get(key):
            out += f"## {title}\n\n{card[key]}\n\n"
    if card.get("evaluation"):
        out += "## Evaluation\n\n| Task | Dataset | Metric | Value |\n|---|---|---|---|\n"
        for row in card["evaluation"]:
            out += f"| {row.get('task', '')} | {row.get('dataset', '')} | {row.get('metric')} | {row.get('value')} |\n"
        out += "\n"
    out += "## Training data\n\n"
    for t in version.training_data.all():
        out += f"- {t.dataset_version.dataset.slug}@{t.dataset_version.version} (sha256 `{t.sha256}`)\n"
    out += f"\n## Files\n\nManifest sha256: `{version.manifest_sha256}`\n\n"
    for f in version.manifest:
        how = "verified" if f["verified"] else "declared"
        out += (
            f"- `{f['path']}` ({f['role']}, {f['size']:,} bytes, sha256 `{f['sha256']}`, {how})\n"
        )
    out += f"\nLicence (SPDX): {card.get('license') or version.model.license}.\n"
    code_license = card.get("code_license")
    if code_license:
        out += f"\nFine-tuning scripts and code: {code_license}.\n"
    return out
