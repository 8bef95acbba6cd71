"""What an uploaded caption file is: format, compression, columns and row count.

A light structural check at upload time (the caption engine does the real validation later, in
workers): the compression must be what its magic bytes say, a Parquet footer must be readable,
JSON Lines must start with a JSON object, CSV/TSV must have a header. Formats, extensions, magic
bytes and column names are the engine's (``captions.formats``); so are the readers that count the
rows, and their limits (the decompressed size, the expansion ratio, the row count, the line
length), which the settings set here. This module only turns what the engine finds into
``config.errors.Invalid`` keyed by the form field a person would fix.

The row count costs a full pass over the decompressed content. The upload reads at most
``DATASET_UPLOAD_COUNT_BYTES`` of it in the request (plain JSON Lines, whose count is a newline
count at gigabytes a second, and Parquet, whose count is in its footer, are always counted):
past that, ``row_count`` is null at upload, and the validation run counts the rows, checks the
rest of the stream and fills it in.
"""

from __future__ import annotations

import codecs
import csv
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import Invalid

from .captions import Limits, UnreadableFile, detect_columns
from .captions import inspect_file as engine_inspect
from .captions.formats import (
    COMPRESSIONS,
    FORMATS,
    PARQUET_MAGIC,
    ROLES,
    detect_compression,
    guess_from_name,
    sniff_text_format,
)
from .captions.streams import human_bytes, open_stream

__all__ = ["COMPRESSIONS", "FORMATS", "FileFacts", "engine_limits", "inspect_file"]


@dataclass
class FileFacts:
    format: str
    compression: str
    row_count: int | None
    columns: list[str] = field(default_factory=list)


def engine_limits() -> Limits:
    """The caption engine's limits at upload: the expansion ratio and the row count, which the
    workers apply too. (``VALIDATION_MAX_DECOMPRESSED_BYTES`` is the workers' alone: the upload
    reads at most ``DATASET_UPLOAD_COUNT_BYTES`` of a compressed file anyway.)"""
    return Limits(
        max_expansion_ratio=settings.DATASET_MAX_EXPANSION_RATIO,
        max_rows=settings.DATASET_MAX_ROWS,
    )


def _bad(message: str, field_name: str = "file") -> Invalid:
    return Invalid(message, errors={field_name: [message]})


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
        raise _bad(_("The file is empty."))
    actual_compression = detect_compression(head)
    if compression is not None and compression != actual_compression:
        said = compression or _("uncompressed")
        raise _bad(
            _("The file was declared %(said)s but is %(actual)s.")
            % {"said": said, "actual": actual_compression or _("not compressed")},
            "compression",
        )
    compression = actual_compression
    name_format, _compression = guess_from_name(filename)
    fmt = format or name_format

    if head.startswith(PARQUET_MAGIC) and fmt in (None, "parquet"):
        fmt = "parquet"
    if fmt == "parquet":
        if compression:
            raise _bad(
                _("Parquet compresses internally: upload the .parquet file without gzip or zstd."),
                "compression",
            )
        return _inspect_parquet(path)
    if head.startswith(PARQUET_MAGIC):
        raise _bad(
            _("The file is Parquet, not %(format)s; set format to parquet.") % {"format": fmt},
            "format",
        )
    limits = engine_limits()
    try:
        fmt = _check_first_line(path, fmt, compression, limits)
    except UnreadableFile as exc:  # a corrupt stream, or a limit, met while reading the head
        raise _bad(str(exc)) from None
    return _count_with_engine(path, fmt, compression, limits)


def _inspect_parquet(path: str) -> FileFacts:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        rows = pf.metadata.num_rows
        columns = list(pf.schema_arrow.names)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _bad(
            _("The file is not a readable Parquet file (%(reason)s).") % {"reason": exc}
        ) from None
    if rows == 0:
        raise _bad(_("The Parquet file has no rows."))
    limit = settings.DATASET_MAX_ROWS
    if limit and rows > limit:
        raise _bad(
            _(
                "The file has %(rows)s rows, more than the row-count limit of %(limit)s "
                "(DATASET_MAX_ROWS): split it into several versions."
            )
            % {"rows": f"{rows:,}", "limit": f"{limit:,}"}
        )
    return FileFacts(format="parquet", compression="", row_count=rows, columns=columns)


def _check_first_line(path: str, fmt: str | None, compression: str, limits: Limits) -> str:
    """The format (sniffed when not given) after checking the first non-blank line."""
    max_line = limits.max_line_bytes
    with open_stream(path, compression, limits) as stream:
        first, number = b"", 0
        # Bounded reads: a file without line breaks (or a decompression bomb) never fills memory.
        while number < 10_000:
            number += 1
            line = stream.readline(max_line + 1)
            if not line:
                break
            if len(line) > max_line:
                raise _bad(
                    _(
                        "Line %(number)s is longer than %(size)s, the longest line the "
                        "validators read; is the file really one row per line?"
                    )
                    % {"number": number, "size": human_bytes(max_line)},
                    "file",
                )
            if line.strip():
                first = line
                break
    if not first:
        raise _bad(
            _("The file has no rows (it is empty once decompressed).")
            if compression
            else _("The file has no rows.")
        )
    fmt = fmt or sniff_text_format(first)
    try:
        first_text = codecs.decode(first, "utf-8-sig")
    except UnicodeDecodeError:
        raise _bad(
            _("Line %(number)s is not UTF-8 text; is the file really %(format)s?")
            % {"number": number, "format": fmt},
            "format",
        ) from None
    if fmt == "jsonl":
        try:
            record = json.loads(first_text)
        except ValueError:
            raise _bad(
                _("Line %(number)s is not a JSON object; JSON Lines has one object per line.")
                % {"number": number},
                "format",
            ) from None
        if not isinstance(record, dict):
            raise _bad(_("Line %(number)s is not a JSON object.") % {"number": number}, "format")
    else:
        delimiter = "\t" if fmt == "tsv" else ","
        header = next(csv.reader([first_text], delimiter=delimiter), [])
        if not any(c.strip() for c in header) or (
            len(header) == 1 and first.lstrip().startswith((b"{", b"["))
        ):
            raise _bad(
                _("The file has no %(format)s header row.") % {"format": fmt.upper()}, "format"
            )
    return fmt


def _count_with_engine(path: str, fmt: str, compression: str, limits: Limits) -> FileFacts:
    """Columns and row count from the caption engine's own readers, so that the registry and the
    validators agree on what a row is (and a decompression bomb stops at the engine's limits,
    while it inflates)."""
    try:
        result = engine_inspect(
            path, fmt, compression, limits=limits, count_bytes=settings.DATASET_UPLOAD_COUNT_BYTES
        )
    except UnreadableFile as exc:
        raise _bad(
            _("The file cannot be read as %(format)s: %(reason)s") % {"format": fmt, "reason": exc}
        ) from None
    if result["row_count"] == 0:
        raise _bad(
            _("The file has a header but no rows.")
            if fmt in ("csv", "tsv")
            else _("The file has no rows.")
        )
    return FileFacts(
        format=fmt,
        compression=compression,
        row_count=result["row_count"],
        columns=[str(c) for c in result["columns"]],
    )


def resolve_columns(columns: list[str], given: dict[str, str | None]) -> dict[str, str | None]:
    """The column mapping ``{"caption", "image", "license"}``: given names or detected ones."""
    errors: dict[str, list[str]] = {}
    given = {role: (given.get(role) or "").strip() or None for role in ROLES}
    for role, name in given.items():
        if name and name not in columns:
            errors[f"{role}_column"] = [
                _("The file has no column %(name)s; its columns are: %(columns)s.")
                % {"name": repr(name), "columns": ", ".join(columns) or _("none")}
            ]
    # The caption engine's detection, so the stored mapping is what it will use.
    mapping = detect_columns(columns, given)
    if not errors and mapping["caption"] is None:
        errors["caption_column"] = [
            _(
                "No caption column found (looked for text, caption, …); columns are: "
                "%(columns)s. Name it with caption_column."
            )
            % {"columns": ", ".join(columns) or _("none")}
        ]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)
    return mapping
