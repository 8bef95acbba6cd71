"""The events the models registry publishes on the bus (``config.events``), one per write.

Imported by ``ModelsRegistryConfig.ready``. Payloads name a model by slug and a version by its
label and ``manifest_sha256`` (the version's identity); training data by dataset slug, version
label and file sha256. Events about a private model are published with ``public=False``.
"""

from __future__ import annotations

from config import events

events.declare(
    "model.created",
    "A model was registered in a working group.",
    fields=("model", "name", "group", "owner", "license", "standard", "visibility"),
)
events.declare(
    "model.updated",
    "A model's record (name, summary, description, licence, visibility) changed.",
    fields=("model", "name", "changed", "visibility"),
)
events.declare(
    "model.version_registered",
    "An immutable model version was registered: its manifest (identified by its sha256), the "
    "dataset versions it was trained on (by file sha256) and whether its checks passed.",
    fields=(
        "model",
        "name",
        "version",
        "manifest_sha256",
        "files",
        "training_data",
        "base_model",
        "checks_passed",
    ),
)
events.declare(
    "model.released",
    "An accepted model_release decision released a model version: its manifest sha256, the "
    "sha256s of its training data and the red-team findings summary at release.",
    fields=(
        "model",
        "name",
        "version",
        "manifest_sha256",
        "training_data",
        "findings",
        "decision",
        "proposal",
    ),
)


def model_subject(model) -> dict[str, str]:
    return {"type": "model", "ref": model.slug}


def training_refs(version) -> list[dict[str, str]]:
    return [
        {
            "dataset": t.dataset_version.dataset.slug,
            "version": t.dataset_version.version,
            "sha256": t.sha256,
        }
        for t in version.training_data.all()
    ]
