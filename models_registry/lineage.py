"""Training lineage: which dataset versions may be named as training data, and the graph."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext

from datasets_registry.models import Dataset, DatasetVersion


def dataset_version_problem(version: DatasetVersion, *, runs: dict | None = None) -> str | None:
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

    run = runs.get(version.pk) if runs is not None else latest_run(version)
    if run is None:
        return gettext("it was never validated and was not accepted into the corpus.")
    if run.status != run.Status.SUCCEEDED:
        return gettext("its latest validation run is %(status)s, not passed.") % {
            "status": run.get_status_display().lower()
        }
    errors = run.by_severity["error"]
    if errors:
        return ngettext(
            "its latest validation found %(count)s error(s).",
            "its latest validation found %(count)s error(s).",
            errors,
        ) % {"count": f"{errors:,}"}
    return None


def graph(version, fine_tunes=()) -> dict[str, Any]:
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
    for tune in fine_tunes:
        node = f"model:{tune.ref}"
        nodes.append(
            {"id": node, "label": tune.ref, "kind": "fine_tune", "url": tune.get_absolute_url()}
        )
        edges.append((me, node))
    return {"nodes": nodes, "edges": edges}


def layout(graph_: dict[str, Any], *, width: int = 640, row: int = 44) -> dict[str, Any]:
    """Positions for an SVG drawing: sources (datasets, base model) left, the version in the
    middle, fine-tunes right; edges as lines between box edges."""
    columns = {"dataset": 0, "base": 0, "self": 1, "fine_tune": 2}
    col_x = [10, width // 2 - 90, width - 190]
    counts = [0, 0, 0]
    placed = {}
    for node in graph_["nodes"]:
        col = columns[node["kind"]]
        placed[node["id"]] = {**node, "x": col_x[col], "y": 10 + counts[col] * row}
        counts[col] += 1
    height = 20 + max(counts) * row
    mid = placed[next(n["id"] for n in graph_["nodes"] if n["kind"] == "self")]
    mid["y"] = (height - 30) // 2
    lines = []
    for a, b in graph_["edges"]:
        pa, pb = placed[a], placed[b]
        lines.append({"x1": pa["x"] + 180, "y1": pa["y"] + 15, "x2": pb["x"], "y2": pb["y"] + 15})
    return {"width": width, "height": height, "nodes": list(placed.values()), "lines": lines}
