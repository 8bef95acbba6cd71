"""What an uploaded caption file is: format, compression, columns and row count.

A light structural check at upload time (the caption engine does the real validation later, in
workers): the compression must be what its magic bytes say and must decompress to the end, a
Parquet footer must be readable, JSON Lines must start with a JSON object, CSV/TSV must have a
header. One streaming pass, bounded memory, whatever the size. Errors are ``config.errors.Invalid``
keyed by the form field a person would fix.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import Invalid

FORMATS = ("jsonl", "csv", "tsv", "parquet")
COMPRESSIONS = ("", "gzip", "zstd")
MAGIC = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}
PARQUET_MAGIC = b"PAR1"
MAX_FIRST_LINE = 16 * 1024 * 1024

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

# Common column names, in order of preference (exact match first, then case-insensitive).
COLUMN_CANDIDATES = {
    "caption": ["text", "caption", "TEXT", "captions", "prompt", "description", "alt_text", "alt"],
    "image": [
        "file_name",
        "image",
        "url",
        "URL",
        "image_url",
        "img_url",
        "image_path",
        "path",
        "file",
        "filename",
        "image_id",
    ],
    "license": ["license", "LICENSE", "licence", "license_id", "rights"],
}


@dataclass
class FileFacts:
    format: str
    compression: str
    row_count: int | None
    columns: list[str] = field(default_factory=list)


def _bad(message: str, field_name: str = "file") -> Invalid:
    return Invalid(message, errors={field_name: [message]})


def guess_from_name(filename: str) -> tuple[str | None, str | None]:
    suffixes = [s.lower() for s in Path(filename or "").suffixes]
    compression = None
    if suffixes and suffixes[-1] in COMPRESSION_EXTENSIONS:
        compression = COMPRESSION_EXTENSIONS[suffixes.pop()]
    fmt = EXTENSIONS.get(suffixes[-1]) if suffixes else None
    return fmt, compression


def _detect_compression(head: bytes) -> str:
    for name, magic in MAGIC.items():
        if head.startswith(magic):
            return name
    return ""


def _open(path: str, compression: str):
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)
    return open(path, "rb")


def _decompression_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [gzip.BadGzipFile, EOFError, zlib.error]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def inspect_file(
    path: str,
    *,
    filename: str = "",
    format: str | None = None,
    compression: str | None = None,
) -> FileFacts:
    """Identify and check the file at ``path``; raise ``Invalid`` with a clear message if bad.

    ``format``/``compression`` are what the client declared (``None``: detect them).
    """
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise _bad("The file is empty.")
    actual_compression = _detect_compression(head)
    if compression is not None and compression != actual_compression:
        said = compression or "uncompressed"
        raise _bad(
            f"The file was declared {said} but is {actual_compression or 'not compressed'}.",
            "compression",
        )
    compression = actual_compression
    name_format, _ = guess_from_name(filename)
    fmt = format or name_format

    if head.startswith(PARQUET_MAGIC) and fmt in (None, "parquet"):
        fmt = "parquet"
    if fmt == "parquet":
        if compression:
            raise _bad(
                "Parquet compresses internally: upload the .parquet file without gzip or zstd.",
                "compression",
            )
        return _inspect_parquet(path)
    if head.startswith(PARQUET_MAGIC):
        raise _bad(f"The file is Parquet, not {fmt}; set format to parquet.", "format")
    try:
        return _inspect_text(path, fmt, compression)
    except _decompression_errors() as exc:
        raise _bad(
            f"The {compression} stream is corrupt or truncated ({exc.__class__.__name__}: {exc})."
        ) from None


def _inspect_parquet(path: str) -> FileFacts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        rows = pf.metadata.num_rows
        columns = list(pf.schema_arrow.names)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _bad(f"The file is not a readable Parquet file ({exc}).") from None
    if rows == 0:
        raise _bad("The Parquet file has no rows.")
    return FileFacts(format="parquet", compression="", row_count=rows, columns=columns)


def _sniff_text_format(first_line: bytes) -> str:
    stripped = first_line.lstrip()
    if stripped.startswith(b"{"):
        return "jsonl"
    if b"\t" in first_line:
        return "tsv"
    return "csv"


def _inspect_text(path: str, fmt: str | None, compression: str) -> FileFacts:
    with _open(path, compression) as raw:
        stream = io.BufferedReader(raw, buffer_size=1024 * 1024) if compression else raw
        first = b""
        # Bounded reads: a file without line breaks (or a decompression bomb) never fills memory.
        for _ in range(10_000):
            line = stream.readline(MAX_FIRST_LINE)
            if not line:
                break
            if line.strip():
                first = line
                break
        if not first:
            raise _bad(
                "The file has no rows (it is empty once decompressed)."
                if compression
                else "The file has no rows."
            )
        fmt = fmt or _sniff_text_format(first)
        try:
            first_text = codecs.decode(first, "utf-8-sig")
        except UnicodeDecodeError:
            raise _bad(
                f"The first line is not UTF-8 text; is the file really {fmt}?", "format"
            ) from None
        if fmt == "jsonl":
            try:
                record = json.loads(first_text)
            except ValueError:
                raise _bad(
                    "The first line is not a JSON object; JSON Lines has one object per line.",
                    "format",
                ) from None
            if not isinstance(record, dict):
                raise _bad("The first line is not a JSON object.", "format")
        else:
            delimiter = "\t" if fmt == "tsv" else ","
            header = next(csv.reader([first_text], delimiter=delimiter), [])
            if not any(c.strip() for c in header) or (
                len(header) == 1 and first.lstrip().startswith((b"{", b"["))
            ):
                raise _bad(f"The file has no {fmt.upper()} header row.", "format")
    return _count_with_engine(path, fmt, compression)


def _count_with_engine(path: str, fmt: str, compression: str) -> FileFacts:
    """Columns and row count from the caption engine's own readers, so that the registry and the
    validators agree on what a row is (and a decompression bomb stops at the engine's limit)."""
    from .captions import UnreadableFile
    from .captions import inspect_file as engine_inspect

    try:
        result = engine_inspect(path, fmt, compression)
    except UnreadableFile as exc:
        raise _bad(f"The file cannot be read as {fmt}: {exc}") from None
    if not result["row_count"]:
        raise _bad(
            "The file has a header but no rows."
            if fmt in ("csv", "tsv")
            else "The file has no rows."
        )
    return FileFacts(
        format=fmt,
        compression=compression,
        row_count=result["row_count"],
        columns=[str(c) for c in result["columns"]],
    )


def resolve_columns(columns: list[str], given: dict[str, str | None]) -> dict[str, str | None]:
    """The column mapping ``{"caption", "image", "license"}``: given names or detected ones."""
    mapping: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    from .captions import detect_columns

    given = {role: (given.get(role) or "").strip() or None for role in COLUMN_CANDIDATES}
    for role, name in given.items():
        if name and name not in columns:
            errors[f"{role}_column"] = [
                f"The file has no column {name!r}; its columns are: {', '.join(columns) or 'none'}."
            ]
    # The same detection as the caption engine's, so the stored mapping is what it will use.
    mapping.update(detect_columns(columns, given))
    if not errors and mapping["caption"] is None:
        errors["caption_column"] = [
            "No caption column found (looked for text, caption, …); columns are: "
            f"{', '.join(columns) or 'none'}. Name it with caption_column."
        ]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    return mapping
