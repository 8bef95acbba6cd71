"""What other apps show about dataset versions on the registry's pages, through one declared
interface: the registry never imports them.

An app registers an annotator in its ``AppConfig.ready``::

    from datasets_registry import annotations

    annotations.register(annotations.VersionAnnotator(
        name="validation",                 # anchors and ids: the version page's #validation
        heading="Caption validation",      # the version page's section
        column="Validation",               # the column of version and dataset lists
        badges=badges_for_versions,        # [DatasetVersion] -> {version id: Badge}
        panel=panel_for_version,           # (DatasetVersion, user) -> Panel | None
        empty="No validation run yet for this version.",
    ))

``badges`` serves lists: it receives every version of a page at once and must answer in a fixed
number of queries, whatever their number (the list pages pin their query counts). ``panel`` serves
one version's page: a template and its context, or None when there is nothing to show yet.
Badges are drawn by the one badge partial, ``datasets_registry/_badge.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Badge:
    label: str
    css: str = ""
    title: str = ""


@dataclass(frozen=True)
class Panel:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionAnnotator:
    name: str
    heading: str
    column: str
    badges: Callable[[Sequence[Any]], Mapping[int, Badge]]
    panel: Callable[[Any, Any], Panel | None]
    empty: str = ""


_annotators: dict[str, VersionAnnotator] = {}


def register(annotator: VersionAnnotator) -> VersionAnnotator:
    """Add (or, on a second ``ready``, replace) the annotator called ``annotator.name``."""
    _annotators[annotator.name] = annotator
    return annotator


def unregister(name: str) -> None:
    """Remove an annotator (tests)."""
    _annotators.pop(name, None)


def annotators() -> list[VersionAnnotator]:
    """Every registered annotator, in registration order."""
    return list(_annotators.values())


def badges(versions: Sequence[Any]) -> dict[int, list[tuple[VersionAnnotator, Badge]]]:
    """``{version id: [(annotator, badge), ...]}``, one pair per annotator in order."""
    versions = list(versions)
    found = [(a, a.badges(versions) if versions else {}) for a in annotators()]
    return {
        v.pk: [(a, by_id.get(v.pk) or Badge(label="–")) for a, by_id in found] for v in versions
    }


def no_badges() -> list[tuple[VersionAnnotator, None]]:
    """The row of a list entry that has no version yet: one empty cell per annotator."""
    return [(a, None) for a in annotators()]


def panels(version: Any, user: Any) -> list[tuple[VersionAnnotator, Panel | None]]:
    """What each annotator shows on ``version``'s page, for ``user``."""
    return [(a, a.panel(version, user)) for a in annotators()]
