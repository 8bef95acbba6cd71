"""Small helpers to write caption files and run the engine on them."""

from __future__ import annotations

import json
from pathlib import Path

from datasets_registry.captions import validate_file

COCO = Path(__file__).resolve().parents[3] / "shared" / "data" / "coco_val2017_captions.jsonl"
if not COCO.exists():  # a clone checked out beside shared/
    COCO = Path("/work/shared/data/coco_val2017_captions.jsonl")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def row(text, image="images/0001.jpg", license="CC-BY-4.0", **extra) -> dict:
    out = {"file_name": image, "text": text, "license": license}
    out.update(extra)
    return out


def run(tmp_path: Path, rows: list[dict], rules: dict | None = None, name="captions.jsonl"):
    path = write_jsonl(tmp_path / name, rows)
    return validate_file(str(path), rules=rules, collect=True)


def rules_of(result) -> list[str]:
    return [i["rule"] for i in result.issues]


def flagged(result, rule: str) -> list[int]:
    return [i["row"] for i in result.issues if i["rule"] == rule]
