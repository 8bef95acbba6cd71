"""The command line: validate a caption file locally, without a server, database or broker.

``python manage.py validate_captions FILE [--report OUT.jsonl] ...`` runs this without setting
Django up (``manage.py`` hands it over) unless ``--standard`` asks for a rule set stored in the
database; ``python -m datasets_registry.captions FILE ...`` is the same command. Exit status: 0
when no error-severity issue was found, 1 when one was, 2 when the file (or the rule set) cannot
be read at all.

Start-up is kept off the path to the first row: no Django set-up (about 1.5 s: settings, every
app's models, DRF, Celery), no pandas (which pyarrow would import at its first ``array()`` call,
0.5 to 2 s), only the engine's own imports (Arrow, numpy); the CLIP vocabulary and the SPDX list
are loaded when a row first needs them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .formats import FORMATS, detect_format
from .streams import Limits, count_lines

HELP = "Validate a caption file (JSONL, CSV, TSV, Parquet; gzip/zstd) against a caption rule set."
# Django's own options of every management command: accepted (and ignored) when this command
# runs without Django, so that the same command line works either way.
DJANGO_FLAGS = ("--traceback", "--no-color", "--force-color", "--skip-checks")
DJANGO_VALUES = ("--settings", "--pythonpath")


class CliError(Exception):
    """A refusal with its exit status (2: the file or the rule set cannot be read)."""

    def __init__(self, message: str, returncode: int = 2):
        super().__init__(message)
        self.returncode = returncode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options (also those of the ``validate_captions`` management command)."""
    parser.add_argument("file")
    parser.add_argument("--format", choices=FORMATS, help="default: from the file name")
    parser.add_argument("--compression", choices=["none", "gzip", "zstd"])
    parser.add_argument(
        "--standard", metavar="SLUG@VERSION", help="use this standard version's rules"
    )
    parser.add_argument("--rules", metavar="RULES.json", help="a rule set file (JSON)")
    parser.add_argument("--report", metavar="OUT.jsonl", help="write every issue, sorted by row")
    parser.add_argument("--caption-column")
    parser.add_argument("--image-column")
    parser.add_argument("--license-column")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes for a large plain JSONL or Parquet file (default: one per two CPUs, "
        "up to 4: each process keeps about two busy, with a thread parsing ahead)",
    )
    parser.add_argument("--max-decompressed-bytes", type=int, default=Limits.max_decompressed_bytes)
    parser.add_argument(
        "--max-expansion-ratio",
        type=float,
        default=Limits.max_expansion_ratio,
        help="refuse a compressed file that inflates more than this many times (0: no limit)",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=Limits.max_rows,
        help="refuse a file with more rows than this (0: no limit)",
    )


def parser(prog: str = "validate_captions") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=HELP)
    add_arguments(p)
    for flag in DJANGO_FLAGS:
        p.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    for flag in DJANGO_VALUES:
        p.add_argument(flag, help=argparse.SUPPRESS)
    p.add_argument("-v", "--verbosity", type=int, default=1, help=argparse.SUPPRESS)
    return p


def needs_django(argv: list[str]) -> bool:
    """Whether these arguments need Django (a standard's rules are read from the database)."""
    return any(a == "--standard" or a.startswith("--standard=") for a in argv)


def read_rules_file(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CliError(f"Cannot read the rule set: {exc}") from exc


def run(
    opts: dict[str, Any],
    *,
    stdout: IO[str],
    stderr: IO[str],
    rules: dict | None = None,
    style: Callable[[str, str], str] | None = None,
) -> int:
    """Validate ``opts["file"]``; returns the exit status. ``rules``: a rule set already read
    (``--standard``); else ``--rules`` is read here. ``style(kind, text)`` colours the summary."""
    path = Path(opts["file"])
    if not path.is_file():
        raise CliError(f"No such file: {path}")
    try:
        fmt, compression = detect_format(path.name)
    except ValueError as exc:
        if not opts.get("format"):
            raise CliError(str(exc)) from exc
        fmt, compression = opts["format"], ""
    fmt = opts.get("format") or fmt
    if opts.get("compression"):
        compression = "" if opts["compression"] == "none" else opts["compression"]
    if opts.get("standard") and opts.get("rules"):
        raise CliError("Give --standard or --rules, not both.")
    if rules is None:
        rules = read_rules_file(opts.get("rules"))

    from . import RULES, UnreadableFile, resolve_ruleset, validate_file, validate_ruleset
    from .report import gzip_writer

    if rules is not None:
        errors = validate_ruleset(rules)
        if errors:
            lines = [f"  {ptr}: {msg}" for ptr, msgs in errors.items() for msg in msgs]
            raise CliError("The rule set is invalid:\n" + "\n".join(lines))
    mapping = {
        "caption": opts.get("caption_column"),
        "image": opts.get("image_column"),
        "license": opts.get("license_column"),
    }
    limits = Limits(
        max_decompressed_bytes=opts.get("max_decompressed_bytes", Limits.max_decompressed_bytes),
        max_expansion_ratio=opts.get("max_expansion_ratio", Limits.max_expansion_ratio),
        max_rows=opts.get("max_rows", Limits.max_rows),
    )
    progress = _progress(stderr, path, fmt, compression, limits)
    started = time.monotonic()
    out = gz = None
    try:
        if opts.get("report"):
            target = Path(opts["report"])
            out = target.open("wb")
            gz = gzip_writer(out) if target.suffix == ".gz" else None
        result = validate_file(
            str(path),
            fmt,
            compression,
            rules=rules,
            mapping=mapping,
            report=gz or out,
            limits=limits,
            progress=progress,
            workers=opts.get("workers") or max(1, min(4, (os.cpu_count() or 1) // 2)),
        )
    except UnreadableFile as exc:
        raise CliError(f"Cannot read {path.name}: {exc}") from exc
    finally:
        if gz is not None:
            gz.close()
        if out is not None:
            out.close()
        if progress is not None:
            stderr.write("\n")
    _summary(stdout, result, resolve_ruleset(rules), RULES, time.monotonic() - started, style)
    return 1 if result.has_errors else 0


def _progress(stderr: IO[str], path: Path, fmt: str, compression: str, limits: Limits):
    if not (hasattr(stderr, "isatty") and stderr.isatty()):
        return None
    total = count_lines(str(path), "", limits)[0] if fmt == "jsonl" and not compression else None
    started = time.monotonic()
    width = 30

    def show(rows: int) -> None:
        rate = rows / max(time.monotonic() - started, 1e-6)
        if total:
            done = min(rows / total, 1.0)
            bar = "#" * int(done * width)
            stderr.write(
                f"\r[{bar:<{width}}] {done:6.1%} {rows:,}/{total:,} rows, {rate:,.0f} rows/s"
            )
        else:
            stderr.write(f"\r{rows:,} rows, {rate:,.0f} rows/s")
        stderr.flush()

    return show


def _summary(stdout, result, ruleset: dict, rules_doc: dict, elapsed: float, style) -> None:
    def w(text: str = "") -> None:
        stdout.write(text + "\n")

    style = style or (lambda kind, text: text)
    w(
        f"File: {result.format}{'+' + result.compression if result.compression else ''}, "
        f"{result.rows:,} rows in {elapsed:.2f} s"
    )
    mapping = ", ".join(f"{role}={name or '-'}" for role, name in result.mapping.items())
    w(f"Columns: {mapping}")
    by_rule = result.counts["by_rule"]
    if not by_rule:
        w(style("success", "No issues found."))
        return
    w()
    w(f"{'rule':<24} {'severity':<8} {'rows':>10}  description")
    w(f"{'-' * 24} {'-' * 8} {'-' * 10}  {'-' * 30}")
    rules = ruleset["rules"]
    for code, n in sorted(by_rule.items(), key=lambda kv: (rules[kv[0]]["severity"], -kv[1])):
        w(f"{code:<24} {rules[code]['severity']:<8} {n:>10,}  {rules_doc[code]['title']}")
    sev = result.counts["by_severity"]
    line = f"\n{_count(sev['error'], 'error')}, {_count(sev['warning'], 'warning')}."
    w(style("error" if sev["error"] else "warning", line))


class _NoPandas:
    """An import finder that refuses ``pandas`` (see ``arrow_without_pandas``)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used by the caption engine")
        return None


def arrow_without_pandas() -> None:
    """Tell pyarrow, in this process, that pandas is absent. pyarrow's ``array()`` asks once
    whether pandas is installed, by importing it: 0.5 to 2 s of start-up that the engine never
    uses (it hands pyarrow only lists and numpy arrays). The refusal is remembered by pyarrow;
    ``import pandas`` itself works again afterwards. Only for a process that is the command line."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(finder)


def main(argv: list[str] | None = None, prog: str = "validate_captions") -> int:
    """Entry point without Django (``--standard`` needs ``manage.py``, which sets Django up)."""
    argv = sys.argv[1:] if argv is None else argv
    opts = vars(parser(prog).parse_args(argv))
    if opts.get("standard"):
        sys.stderr.write("--standard reads the database: run it as manage.py validate_captions.\n")
        return 2
    arrow_without_pandas()
    try:
        return run(opts, stdout=sys.stdout, stderr=sys.stderr)
    except CliError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return exc.returncode
    except BrokenPipeError:
        # The reader went away (``… | head``): stop quietly, as other command-line tools do.
        # Python would otherwise report the pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by the pipe


def _count(n: int, noun: str) -> str:
    """Counts for the CLI ("1 error", "2 errors"): it runs without Django, so not config.text."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
