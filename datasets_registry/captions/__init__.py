"""The caption validation engine. Imports no Django; see docs/captions.md.

Public API (stable for the registry, the pipeline and the command line):

- rule sets: ``validate_ruleset(obj) -> {pointer: [messages]}``, ``resolve_ruleset(obj | None)``,
  ``DEFAULT_RULESET``, ``RULES`` (code -> title, explanation, default severity, parameters)
- files: ``detect_format(filename)``, ``detect_columns(names, given)``,
  ``inspect_file(path, format, compression, given=None) -> {"row_count", "columns", "mapping"}``
- running: ``validate_file``, ``plan_chunks``, ``validate_chunk``, ``merge_chunks``,
  ``merged_issues``, ``merged_lines``, ``write_report``; ``write_indexed_report`` and
  ``read_report_page`` for stored reports; ``UnreadableFile`` when a file cannot be read at all.
"""

from .readers import Limits, UnreadableFile, detect_columns, detect_format, inspect_file
from .ruleset import DEFAULT_RULESET, RULES, RULESET_SCHEMA, resolve_ruleset, validate_ruleset
from .runner import (
    ChunkResult,
    FileResult,
    MergeResult,
    merge_chunks,
    merged_issues,
    plan_chunks,
    read_report_page,
    resolve_mapping,
    validate_chunk,
    validate_file,
    write_indexed_report,
    write_report,
)

# Recorded with every validation run: bump when a rule's behaviour changes, so that a result can be
# traced to the engine that produced it.
ENGINE_VERSION = "1.1.0"

__all__ = [
    "DEFAULT_RULESET",
    "ENGINE_VERSION",
    "RULES",
    "RULESET_SCHEMA",
    "ChunkResult",
    "FileResult",
    "Limits",
    "MergeResult",
    "UnreadableFile",
    "detect_columns",
    "detect_format",
    "inspect_file",
    "merge_chunks",
    "merged_issues",
    "plan_chunks",
    "read_report_page",
    "resolve_mapping",
    "resolve_ruleset",
    "validate_chunk",
    "validate_file",
    "validate_ruleset",
    "write_indexed_report",
    "write_report",
]
