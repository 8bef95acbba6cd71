"""What a proposal's target is, in words and as a link: "OMI Dataset Card 1.1.0", not
"Standard version 2".

Governance stores a target by type, id and sha256 and never imports the apps that own targets;
each of those registers a describer for its type in its ``AppConfig.ready``::

    targets.register("standard_version", describe_standard_version)   # id -> Target | None
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    label: str
    url: str


_describers: dict[str, Callable[[int], Target | None]] = {}


def register(target_type: str, describe: Callable[[int], Target | None]) -> None:
    _describers[target_type] = describe


def target_of(proposal) -> Target | None:
    """The proposal's target described by its owner app, or None (no target, none registered, or
    the target is gone)."""
    describe = _describers.get(proposal.target_type or "")
    if describe is None or proposal.target_id is None:
        return None
    return describe(proposal.target_id)
