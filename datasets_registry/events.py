"""The events the registry publishes on the bus (``config.events``), one per write.

Imported by ``DatasetsRegistryConfig.ready``. Every payload names its thing by slug and version
label (and the file's or the content's sha256), plus the name a notification is worded with.
Events about a private dataset (and its versions) are published with ``public=False``.
Helpers below build the common parts, so every service words its events the same way.
"""

from __future__ import annotations

from typing import Any

from config import events

# --- standards ---------------------------------------------------------------------------------

events.declare(
    "standard.created",
    "A working group's chair (or staff) created a metadata standard.",
    fields=("standard", "name", "group"),
)
events.declare(
    "standard.version_created",
    "A draft version of a standard was written (empty, or copied from another version).",
    fields=("standard", "version", "name", "status", "sha256", "based_on"),
)
events.declare(
    "standard.version_updated",
    "A draft version's label, schema, rules or changelog changed.",
    fields=("standard", "version", "name", "previous_version", "sha256", "changed"),
)
events.declare(
    "standard.version_frozen",
    "A draft was proposed for adoption: its content is frozen, identified by its sha256.",
    fields=("standard", "version", "name", "sha256", "schema_sha256", "rules_sha256", "proposal"),
)
events.declare(
    "standard.version_reopened",
    "A proposed version went back to draft (its proposal was withdrawn or rejected).",
    fields=("standard", "version", "name", "reason"),
)
events.declare(
    "standard.adopted",
    "A governance decision adopted a standard version (the previous one is deprecated).",
    fields=("standard", "version", "name", "sha256", "decision", "proposal", "replaces"),
)
events.declare(
    "standard.deprecated",
    "A standard version was deprecated because another one was adopted.",
    fields=("standard", "version", "name", "replaced_by"),
)

# --- datasets ----------------------------------------------------------------------------------

events.declare(
    "dataset.created",
    "A dataset was registered.",
    fields=("dataset", "name", "owner", "license", "standard", "visibility"),
)
events.declare(
    "dataset.updated",
    "A dataset's record (card, licence, standard, visibility, status) changed.",
    fields=("dataset", "name", "changed", "visibility"),
)
events.declare(
    "dataset.maintainers_changed",
    "Someone became, or stopped being, a maintainer of a dataset.",
    fields=("dataset", "name", "added", "removed"),
)
events.declare(
    "dataset.version_created",
    "A caption file was stored as a new, immutable version of a dataset.",
    fields=(
        "dataset",
        "name",
        "version",
        "sha256",
        "size",
        "row_count",
        "format",
        "compression",
    ),
)
events.declare(
    "dataset.accepted",
    "A governance decision accepted a dataset version into the training corpus.",
    fields=("dataset", "name", "version", "sha256", "decision", "proposal"),
)
events.declare(
    "dataset.excluded",
    "A governance decision rejected a dataset version: the dataset is excluded from the corpus.",
    fields=("dataset", "name", "version", "sha256", "decision", "proposal"),
)


def standard_subject(standard) -> dict[str, str]:
    return {"type": "standard", "ref": standard.slug}


def dataset_subject(dataset) -> dict[str, str]:
    return {"type": "dataset", "ref": dataset.slug}


def proposal_ref(proposal) -> str | None:
    """``"<group slug>/<number>"``, the way proposals are named in events."""
    if proposal is None:
        return None
    return f"{proposal.group.slug}/{proposal.number}"


def version_payload(version, **extra: Any) -> dict[str, Any]:
    """What every event about a standard version carries."""
    return {
        "standard": version.standard.slug,
        "version": version.version,
        "name": f"{version.standard.name} {version.version}",
        **extra,
    }
