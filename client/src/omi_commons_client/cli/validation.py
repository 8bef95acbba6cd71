"""`omi validation …` on the server, and `omi validate` with the same engine locally."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from .. import local
from ..errors import OmiError
from .common import (
    VERDICT_FAILED,
    Output,
    _read_json,
    make_client,
    table,
)


def _verdict(run: dict) -> int:
    if run.get("status") != "succeeded":
        return VERDICT_FAILED
    return 1 if (run.get("counts") or {}).get("by_severity", {}).get("error", 0) else 0


def _run_lines(slug: str, version: str, run: dict) -> list[str]:
    counts = run.get("counts") or {}
    severity = counts.get("by_severity") or {}
    progress = run.get("progress") or {}
    lines = [
        f"Validation of {slug} {version}: {run.get('status')}"
        + (f" ({run['error']})" if run.get("error") else "")
    ]
    if run.get("status") == "succeeded":
        lines.append(
            f"{progress.get('rows_done', 0):,} rows checked: {severity.get('error', 0):,} errors, "
            f"{severity.get('warning', 0):,} warnings."
        )
        for code, n in sorted((counts.get("by_rule") or {}).items(), key=lambda kv: -kv[1]):
            lines.append(f"  {code:<28} {n:>10,}")
    return lines


def _wait(client, slug, version, args, out: Output, *, quiet_result: bool = False) -> int:
    live = sys.stderr.isatty() and not args.quiet

    def show(run: dict) -> None:
        if not live:
            return
        progress = run.get("progress") or {}
        done, total = progress.get("rows_done") or 0, progress.get("rows_total")
        text = f"validation: {run.get('status')} {done:,}"
        text += f"/{total:,} rows ({done / total:.0%})" if total else " rows"
        sys.stderr.write("\r" + text + "\x1b[K")
        sys.stderr.flush()

    try:
        run = client.wait_for_validation(
            slug, version, interval=args.interval, timeout=args.timeout, on_progress=show
        )
    except TimeoutError as exc:
        raise OmiError(str(exc)) from None
    finally:
        if live:
            sys.stderr.write("\n")
    if not quiet_result:
        out.result(run, _run_lines(slug, version, run))
    return _verdict(run)


def cmd_validation_status(args, out: Output) -> int:
    run = make_client(args, token_required=False).validation(args.slug, args.version)
    out.result(run, _run_lines(args.slug, args.version, run))
    return 0


def cmd_validation_wait(args, out: Output) -> int:
    client = make_client(args, token_required=False)
    return _wait(client, args.slug, args.version, args, out)


ISSUE_COLUMNS = ["row", "rule", "severity", "message", "value"]


def cmd_validation_issues(args, out: Output) -> int:
    client = make_client(args, token_required=False)
    issues = client.validation_issues(
        args.slug, args.version, rule=args.rule, severity=args.severity, limit=args.limit
    )
    fmt = "json" if args.json else args.format
    if fmt == "json":
        print(json.dumps(list(issues), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=ISSUE_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for issue in issues:
            writer.writerow({k: _csv_value(issue.get(k)) for k in ISSUE_COLUMNS})
    else:
        print(table(list(issues), ISSUE_COLUMNS))
    return 0


def _csv_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


# --- local validation -------------------------------------------------------------------------


def cmd_validate(args, out: Output) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise OmiError(f"No such file: {path}")
    engine = local.load_engine()
    try:
        fmt, compression = engine.detect_format(path.name)
    except ValueError as exc:
        if not args.format:
            raise OmiError(f"{exc} Pass --format.") from None
        fmt, compression = args.format, ""
    fmt = args.format or fmt
    if args.compression:
        compression = "" if args.compression == "none" else args.compression
    rules = _rules(args)
    if rules is not None:
        errors = engine.validate_ruleset(rules)
        if errors:
            lines = [f"  {ptr}: {msg}" for ptr, msgs in errors.items() for msg in msgs]
            raise OmiError("The rule set is invalid:\n" + "\n".join(lines))
    mapping = {
        "caption": args.caption_column,
        "image": args.image_column,
        "license": args.license_column,
    }
    live = sys.stderr.isatty() and not args.quiet

    def progress(rows: int) -> None:
        if live:
            sys.stderr.write(f"\r{rows:,} rows checked\x1b[K")
            sys.stderr.flush()

    report = None
    try:
        if args.report:
            import gzip

            out_path = Path(args.report)
            report = gzip.open(out_path, "wb") if out_path.suffix == ".gz" else open(out_path, "wb")  # noqa: SIM115
        result = engine.validate_file(
            str(path),
            fmt,
            compression,
            rules=rules,
            mapping=mapping,
            report=report,
            limits=engine.Limits(),
            progress=progress,
            workers=args.workers,
        )
    except engine.UnreadableFile as exc:
        raise OmiError(f"Cannot read {path.name}: {exc}") from None
    finally:
        if report is not None:
            report.close()
        if live:
            sys.stderr.write("\n")
    ruleset = engine.resolve_ruleset(rules)["rules"]
    counts = result.counts
    data = {
        "file": str(path),
        "format": result.format,
        "compression": result.compression,
        "rows": result.rows,
        "mapping": result.mapping,
        "counts": counts,
        "passed": not result.has_errors,
    }
    lines = [
        f"{path.name}: {result.format}{'+' + result.compression if result.compression else ''}, "
        f"{result.rows:,} rows; columns "
        + ", ".join(f"{role}={name or '-'}" for role, name in result.mapping.items())
    ]
    for code, n in sorted(
        counts["by_rule"].items(), key=lambda kv: (ruleset[kv[0]]["severity"], -kv[1])
    ):
        lines.append(
            f"  {code:<24} {ruleset[code]['severity']:<8} {n:>10,}  {engine.RULES[code]['title']}"
        )
    severity = counts["by_severity"]
    lines.append(
        "No issues found."
        if not counts["by_rule"]
        else f"{severity['error']:,} errors, {severity['warning']:,} warnings."
    )
    out.result(data, lines)
    return 1 if result.has_errors else 0


def _rules(args) -> dict | None:
    if args.standard and args.rules:
        raise OmiError("Give --standard or --rules, not both.")
    if args.rules:
        rules = _read_json(args.rules, "the rule set")
        if not isinstance(rules, dict):
            raise OmiError(f"{args.rules} must hold a JSON object.")
        return rules
    if args.standard:
        slug, _, version = args.standard.partition("@")
        if not slug or not version:
            raise OmiError("--standard takes SLUG@VERSION, e.g. omi-dataset-card@1.0.0.")
        return (
            make_client(args, token_required=False).standard_version(slug, version)["rules"] or {}
        )
    return None
