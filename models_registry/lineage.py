"""Training lineage: which dataset versions may be named as training data, and the graph."""

from __future__ import annotations

from typing import Any

from datasets_registry.models import Dataset, DatasetVersion


def dataset_version_problem(version: DatasetVersion) -> str | None:
    """Why ``version`` cannot be training data of a release (None: it can): it must have been
    accepted into the corpus by a ``dataset_acceptance`` decision, or its latest validation run
    must have succeeded without errors."""
    dataset = version.dataset
    if (
        dataset.corpus_status == Dataset.CorpusStatus.ACCEPTED
        and dataset.corpus_version_id == version.pk
    ):
        return None
    from datasets_registry.validation.selectors import latest_run

    run = latest_run(version)
    if run is None:
        return "it was never validated and was not accepted into the corpus."
    if run.status != run.Status.SUCCEEDED:
        return f"its latest validation run is {run.get_status_display().lower()}, not passed."
    errors = run.by_severity["error"]
    if errors:
        return f"its latest validation found {errors:,} error(s)."
    return None


def graph(version) -> dict[str, Any]:
    """Nodes and edges from the training datasets (and the base model) to ``version`` and on to
    its fine-tunes, for the version page's small lineage drawing."""
    nodes: list[dict[str, Any]] = []
    edges: list[tuple[str, str]] = []
    me = f"model:{version.ref}"
    nodes.append(
        {"id": me, "label": version.ref, "kind": "self", "url": version.get_absolute_url()}
    )
    for link in version.training_data.all():
        dv = link.dataset_version
        node = f"dataset:{dv}"
        nodes.append(
            {"id": node, "label": str(dv), "kind": "dataset", "url": dv.get_absolute_url()}
        )
        edges.append((node, me))
    if version.base_model_id:
        base = version.base_model
        node = f"model:{base.ref}"
        nodes.append(
            {"id": node, "label": base.ref, "kind": "base", "url": base.get_absolute_url()}
        )
        edges.append((node, me))
    for tune in version.fine_tunes.all():
        node = f"model:{tune.ref}"
        nodes.append(
            {"id": node, "label": tune.ref, "kind": "fine_tune", "url": tune.get_absolute_url()}
        )
        edges.append((me, node))
    return {"nodes": nodes, "edges": edges}
