"""The metadata standards every installation ships (``<slug>-<version>.json``, loaded by
``bootstrap`` and migration 0002), each with an example dataset card beside it
(``<slug>-<version>.example.json``): a complete card that conforms to the standard, used by the
tests, the benchmarks and anyone writing a first card. Imports nothing of Django."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def example_card(standard: str = "omi-dataset-card-1.0.0") -> dict[str, Any]:
    """A fresh copy of the example card of ``standard`` (``<slug>-<version>``)."""
    return json.loads((HERE / f"{standard}.example.json").read_text(encoding="utf-8"))
