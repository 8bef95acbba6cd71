"""What a caption file is: formats, compressions, their file-name extensions and magic bytes, the
roles a column can play and the column names recognised for each. Held here once: the engine's
readers, the rule set and the registry's upload check (``datasets_registry/files.py``) all ask
this module. Imports no Django (nor Arrow: the upload check reads it before it reads any row).
"""

from __future__ import annotations

import os

from . import messages as M

FORMATS = ("jsonl", "csv", "tsv", "parquet")
COMPRESSIONS = ("", "gzip", "zstd")
ROLES = ("caption", "image", "license")

EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
COMPRESSION_EXTENSIONS = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
MAGIC = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}
PARQUET_MAGIC = b"PAR1"

# Names recognised for each role, in order of preference: every candidate's exact spelling is
# tried first, then every candidate case-insensitively. The union of the engine's and the upload
# check's former lists, the engine's order kept (it is the one that decided every stored mapping:
# the upload check already called the engine's detection), the upload check's extra names
# slotted in beside their closest kin: ``captions`` after ``CAPTION``, ``img_url`` and
# ``image_path`` after ``image_url``, ``filename`` and ``image_id`` after ``path``, ``rights``
# last.
COLUMN_CANDIDATES = {
    "caption": [
        "text",
        "caption",
        "TEXT",
        "CAPTION",
        "captions",
        "prompt",
        "description",
        "alt_text",
        "alt",
    ],
    "image": [
        "file_name",
        "image",
        "url",
        "URL",
        "image_url",
        "img_url",
        "image_path",
        "filepath",
        "file",
        "path",
        "filename",
        "image_id",
        "img",
    ],
    "license": ["license", "LICENSE", "licence", "license_id", "spdx", "rights"],
}


def guess_from_name(filename: str) -> tuple[str | None, str | None]:
    """(format or None, compression or None) from a file name's extensions; None: not told."""
    name = os.path.basename(filename or "").lower()
    compression = None
    for suffix, comp in COMPRESSION_EXTENSIONS.items():
        if name.endswith(suffix):
            compression, name = comp, name[: -len(suffix)]
            break
    fmt = next((f for suffix, f in EXTENSIONS.items() if name.endswith(suffix)), None)
    return fmt, compression


def detect_format(filename: str) -> tuple[str, str]:
    """``("jsonl"|"csv"|"tsv"|"parquet", ""|"gzip"|"zstd")`` from a file name; ValueError if unknown."""
    fmt, compression = guess_from_name(filename)
    if fmt is None:
        raise ValueError(M.UNKNOWN_FILE_NAME % {"name": repr(filename)})
    return fmt, compression or ""


def detect_compression(head: bytes) -> str:
    """The compression that a file's first bytes announce (``""``: none)."""
    for name, magic in MAGIC.items():
        if head.startswith(magic):
            return name
    return ""


def sniff_text_format(first_line: bytes) -> str:
    """``jsonl``, ``tsv`` or ``csv`` from the first non-blank line of a text file."""
    if first_line.lstrip().startswith(b"{"):
        return "jsonl"
    if b"\t" in first_line:
        return "tsv"
    return "csv"


def detect_columns(
    names: list[str], given: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    """Map each role to a column: the given name when set, else the first common name found."""
    given = {k: v for k, v in (given or {}).items() if v}
    mapping: dict[str, str | None] = {}
    lower = {n.lower(): n for n in reversed(names)}
    for role in ROLES:
        if role in given:
            mapping[role] = given[role]
            continue
        found = next((c for c in COLUMN_CANDIDATES[role] if c in names), None)
        if found is None:
            found = next(
                (lower[c.lower()] for c in COLUMN_CANDIDATES[role] if c.lower() in lower), None
            )
        mapping[role] = found
    return mapping


__all__ = [
    "COLUMN_CANDIDATES",
    "COMPRESSIONS",
    "COMPRESSION_EXTENSIONS",
    "EXTENSIONS",
    "FORMATS",
    "MAGIC",
    "PARQUET_MAGIC",
    "ROLES",
    "detect_columns",
    "detect_compression",
    "detect_format",
    "guess_from_name",
    "sniff_text_format",
]
