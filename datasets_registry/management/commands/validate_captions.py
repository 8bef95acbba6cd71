"""Validate a caption file locally: no server, database rows or broker (beyond reading a standard).

Exit status: 0 when no error-severity issue was found, 1 when one was, 2 when the file (or the rule
set) cannot be read at all.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from datasets_registry.captions import (
    RULES,
    UnreadableFile,
    detect_format,
    resolve_ruleset,
    validate_file,
    validate_ruleset,
)
from datasets_registry.captions.formats import FORMATS
from datasets_registry.captions.streams import Limits, count_lines


class Command(BaseCommand):
    help = (
        "Validate a caption file (JSONL, CSV, TSV, Parquet; gzip/zstd) against a caption rule set."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name")
        parser.add_argument("--compression", choices=["none", "gzip", "zstd"])
        parser.add_argument(
            "--standard", metavar="SLUG@VERSION", help="use this standard version's rules"
        )
        parser.add_argument("--rules", metavar="RULES.json", help="a rule set file (JSON)")
        parser.add_argument(
            "--report", metavar="OUT.jsonl", help="write every issue, sorted by row"
        )
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
        parser.add_argument(
            "--max-decompressed-bytes", type=int, default=Limits.max_decompressed_bytes
        )
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

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        try:
            fmt, compression = detect_format(path.name)
        except ValueError as exc:
            if not opts["format"]:
                raise CommandError(str(exc), returncode=2) from exc
            fmt, compression = opts["format"], ""
        fmt = opts["format"] or fmt
        if opts["compression"]:
            compression = "" if opts["compression"] == "none" else opts["compression"]
        rules = self._rules(opts)
        mapping = {
            "caption": opts["caption_column"],
            "image": opts["image_column"],
            "license": opts["license_column"],
        }
        limits = Limits(
            max_decompressed_bytes=opts["max_decompressed_bytes"],
            max_expansion_ratio=opts["max_expansion_ratio"],
            max_rows=opts["max_rows"],
        )
        progress = self._progress(path, fmt, compression, limits)
        report = None
        started = time.monotonic()
        connections.close_all()  # worker processes are forked: they must not share a connection
        try:
            if opts["report"]:
                out = Path(opts["report"])
                report = gzip.open(out, "wb") if out.suffix == ".gz" else open(out, "wb")  # noqa: SIM115
            result = validate_file(
                str(path),
                fmt,
                compression,
                rules=rules,
                mapping=mapping,
                report=report,
                limits=limits,
                progress=progress,
                workers=opts["workers"] or max(1, min(4, (os.cpu_count() or 1) // 2)),
            )
        except UnreadableFile as exc:
            raise CommandError(f"Cannot read {path.name}: {exc}", returncode=2) from exc
        finally:
            if report is not None:
                report.close()
            if progress is not None:
                self.stderr.write("")
        elapsed = time.monotonic() - started
        self._summary(result, resolve_ruleset(rules), elapsed)
        if result.has_errors:
            sys.exit(1)

    def _rules(self, opts) -> dict | None:
        if opts["standard"] and opts["rules"]:
            raise CommandError("Give --standard or --rules, not both.", returncode=2)
        rules = None
        if opts["rules"]:
            try:
                rules = json.loads(Path(opts["rules"]).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read the rule set: {exc}", returncode=2) from exc
        elif opts["standard"]:
            slug, _, version = opts["standard"].partition("@")
            if not slug or not version:
                raise CommandError(
                    "--standard takes SLUG@VERSION, e.g. omi-dataset-card@1.0.0.", returncode=2
                )
            from datasets_registry.models import StandardVersion  # lazily: needs the database

            sv = StandardVersion.objects.filter(standard__slug=slug, version=version).first()
            if sv is None:
                raise CommandError(f"No standard version {slug}@{version}.", returncode=2)
            rules = sv.rules or {}
        if rules is not None:
            errors = validate_ruleset(rules)
            if errors:
                lines = [f"  {ptr}: {msg}" for ptr, msgs in errors.items() for msg in msgs]
                raise CommandError("The rule set is invalid:\n" + "\n".join(lines), returncode=2)
        return rules

    def _progress(self, path: Path, fmt: str, compression: str, limits: Limits):
        if not (hasattr(self.stderr, "isatty") and self.stderr.isatty()):
            return None
        self.stderr.style_func = None  # progress is not an error: no red
        total = None
        if fmt == "jsonl" and not compression:
            total = count_lines(str(path), "", limits)[0]
        started = time.monotonic()
        width = 30

        def show(rows: int) -> None:
            rate = rows / max(time.monotonic() - started, 1e-6)
            if total:
                done = min(rows / total, 1.0)
                bar = "#" * int(done * width)
                self.stderr.write(
                    f"\r[{bar:<{width}}] {done:6.1%} {rows:,}/{total:,} rows, {rate:,.0f} rows/s",
                    ending="",
                )
            else:
                self.stderr.write(f"\r{rows:,} rows, {rate:,.0f} rows/s", ending="")
            self.stderr.flush()

        return show

    def _summary(self, result, ruleset: dict, elapsed: float) -> None:
        w = self.stdout.write
        w(
            f"File: {result.format}{'+' + result.compression if result.compression else ''}, "
            f"{result.rows:,} rows in {elapsed:.2f} s"
        )
        mapping = ", ".join(f"{role}={name or '-'}" for role, name in result.mapping.items())
        w(f"Columns: {mapping}")
        by_rule = result.counts["by_rule"]
        if not by_rule:
            w(self.style.SUCCESS("No issues found."))
            return
        w("")
        w(f"{'rule':<24} {'severity':<8} {'rows':>10}  description")
        w(f"{'-' * 24} {'-' * 8} {'-' * 10}  {'-' * 30}")
        rules = ruleset["rules"]
        for code, n in sorted(by_rule.items(), key=lambda kv: (rules[kv[0]]["severity"], -kv[1])):
            w(f"{code:<24} {rules[code]['severity']:<8} {n:>10,}  {RULES[code]['title']}")
        sev = result.counts["by_severity"]
        line = f"\n{sev['error']:,} errors, {sev['warning']:,} warnings."
        w(self.style.ERROR(line) if sev["error"] else self.style.WARNING(line))
