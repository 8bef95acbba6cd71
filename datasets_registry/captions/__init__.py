"""The caption validation engine. Imports no Django; see docs/captions.md.

Public API (stable for the registry, the pipeline and the command line):

- rule sets: ``validate_ruleset(obj) -> {pointer: [messages]}``, ``resolve_ruleset(obj | None)``,
  ``DEFAULT_RULESET``, ``RULES`` (code -> title, explanation, default severity, parameters)
- files (``formats``): ``FORMATS``, ``COMPRESSIONS``, ``ROLES``, ``detect_format(filename)``,
  ``guess_from_name(filename)``, ``detect_compression(head)``, ``detect_columns(names, given)``;
  ``inspect_file(path, format, compression, given=None, count_bytes=None) -> {"row_count",
  "columns", "mapping"}``; ``Limits`` (sizes, expansion ratio, rows, line length)
- running: ``validate_file`` (``whole``), ``plan_chunks``, ``resolve_mapping`` (``plan``),
  ``validate_chunk`` (``chunk``), ``merge_chunks``, ``merged_issues``, ``merged_lines``
  (``merge``); the report format (``report``): ``write_report``, ``write_indexed_report``,
  ``read_report_page``, ``report_position``, ``gzip_writer``
- errors: ``UnreadableFile`` when a file cannot be read at all, and its subclass ``InputError``
  for a row that breaks the engine; both are properties of the input, never worth a retry.
"""

from .chunk import ChunkResult, validate_chunk
from .formats import (
    COMPRESSIONS,
    FORMATS,
    ROLES,
    detect_columns,
    detect_compression,
    detect_format,
    guess_from_name,
)
from .inspection import inspect_file
from .merge import MergeResult, merge_chunks, merged_issues, merged_lines
from .plan import plan_chunks, resolve_mapping
from .report import (
    gzip_writer,
    read_report_page,
    report_position,
    write_indexed_report,
    write_report,
)
from .ruleset import DEFAULT_RULESET, RULES, RULESET_SCHEMA, resolve_ruleset, validate_ruleset
from .streams import InputError, Limits, UnreadableFile
from .whole import FileResult, validate_file

# Recorded with every validation run: bump when a rule's behaviour changes, so that a result can be
# traced to the engine that produced it.
ENGINE_VERSION = "1.3.0"

__all__ = [
    "COMPRESSIONS",
    "DEFAULT_RULESET",
    "ENGINE_VERSION",
    "FORMATS",
    "ROLES",
    "RULES",
    "RULESET_SCHEMA",
    "ChunkResult",
    "FileResult",
    "InputError",
    "Limits",
    "MergeResult",
    "UnreadableFile",
    "detect_columns",
    "detect_compression",
    "detect_format",
    "guess_from_name",
    "gzip_writer",
    "inspect_file",
    "merge_chunks",
    "merged_issues",
    "merged_lines",
    "plan_chunks",
    "read_report_page",
    "report_position",
    "resolve_mapping",
    "resolve_ruleset",
    "validate_chunk",
    "validate_file",
    "validate_ruleset",
    "write_indexed_report",
    "write_report",
]
