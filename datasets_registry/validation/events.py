"""The events caption validation publishes (``config.events``), declared once; imported by
``ValidationConfig.ready``. Runs of a private dataset's versions are published with
``public=False``."""

from __future__ import annotations

from typing import Any

from config import events

events.declare(
    "validation.started",
    "A validation run of a dataset version was queued (after an upload, or asked for again).",
    fields=(
        "dataset",
        "name",
        "version",
        "run",
        "standard",
        "dataset_sha256",
        "standard_sha256",
        "engine_version",
    ),
)
events.declare(
    "validation.finished",
    "A validation run ended: succeeded (with its counts and report) or failed (with the reason).",
    fields=(
        "dataset",
        "name",
        "version",
        "run",
        "status",
        "counts",
        "issue_count",
        "checked",
        "report_sha256",
        "error",
    ),
)
events.declare(
    "validation.cancelled",
    "A maintainer cancelled a queued or running validation run.",
    fields=("dataset", "name", "version", "run", "by"),
)


def publish(name: str, run, payload: dict[str, Any], *, actor=None) -> None:
    """Publish ``name`` about ``run`` (whose ``version.dataset`` is loaded)."""
    version = run.version
    dataset = version.dataset
    events.publish(
        name,
        {
            "dataset": dataset.slug,
            "name": dataset.name,
            "version": version.version,
            "run": run.pk,
            **payload,
        },
        actor=actor,
        public=dataset.is_public,
        url=version.get_absolute_url(),
        subject={"type": "dataset", "ref": dataset.slug},
    )


def checked(run) -> dict[str, str]:
    """The triple a run checked: which bytes, against which rules, with which engine."""
    return {
        "dataset_sha256": run.dataset_sha256,
        "standard_sha256": run.standard_sha256,
        "engine_version": run.engine_version,
    }
