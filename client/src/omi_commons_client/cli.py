"""The ``omi`` command: the OMI Commons registry from a terminal or a script.

Every command takes ``--json`` (the result as JSON on stdout, errors as ``{"error": {...}}``),
``--url`` and ``--token`` (else ``$OMI_URL`` / ``$OMI_TOKEN``, else what ``omi login`` stored)
and ``--retries``. Exit status: 0 success, 1 the server refused or the network failed, 2 bad
usage; ``omi validation wait`` and ``omi validate`` answer like ``validate_captions``: 0 passed,
1 errors found, 2 the run failed or the file is unreadable (3: could not find out).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import __version__, config, local
from .client import Client
from .errors import OmiError, UploadInterrupted
from .progress import Progress, human_bytes
from .uploads import CHUNK_SIZE

MiB = 1024 * 1024
DEFAULT_STANDARD = "omi-dataset-card@1.0.0"
VERDICT_FAILED, VERDICT_UNKNOWN = 2, 3


class Output:
    def __init__(self, *, as_json: bool, quiet: bool):
        self.as_json = as_json
        self.quiet = quiet

    def result(self, data: Any, text: str | Iterable[str] | None = None) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        elif text is not None:
            print(text if isinstance(text, str) else "\n".join(text))

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def fail(self, exc: OmiError) -> None:
        if self.as_json:
            print(json.dumps({"error": exc.as_dict()}, indent=2, ensure_ascii=False))
        print(f"omi: {exc}", file=sys.stderr)


# --- the server and the token -----------------------------------------------------------------


def make_client(args, *, token_required: bool = True) -> Client:
    stored = config.load_credentials()
    url = args.url or os.environ.get("OMI_URL") or stored.get("url")
    if not url:
        raise OmiError("No server: run `omi login URL` first, or pass --url (or set OMI_URL).")
    url = url.rstrip("/")
    token = args.token or os.environ.get("OMI_TOKEN")
    if not token and stored.get("url", "").rstrip("/") == url:
        token = stored.get("token")
    if token_required and not token:
        raise OmiError(
            f"Not logged in to {url}: run `omi login {url}` (or pass --token, or set OMI_TOKEN)."
        )
    try:
        return Client(url, token or None, retries=args.retries)
    except ValueError as exc:
        raise OmiError(str(exc)) from None


def cmd_login(args, out: Output) -> int:
    url = args.server.rstrip("/")
    token = args.token or os.environ.get("OMI_TOKEN")
    if not token:
        prompt = f"API token for {url} (create one at {url}/account/): "
        token = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    token = (token or "").strip()
    if not token:
        raise OmiError("No token given.")
    try:
        client = Client(url, token, retries=args.retries)
    except ValueError as exc:
        raise OmiError(str(exc)) from None
    me = client.whoami()["user"]
    path = config.save_credentials(url=url, token=token, username=me["username"])
    out.result(
        {"url": url, "username": me["username"], "credentials": str(path)},
        f"Logged in to {url} as {me['username']}. The token is stored in {path} "
        "(readable only by you).",
    )
    return 0


def cmd_logout(args, out: Output) -> int:
    removed = config.forget_credentials()
    out.result(
        {"logged_out": removed},
        "Logged out: the stored token is deleted." if removed else "No token was stored.",
    )
    return 0


def cmd_whoami(args, out: Output) -> int:
    client = make_client(args)
    me = client.whoami()
    user, quota = me["user"], me["quota"]
    out.result(
        {"url": client.url, **me},
        [
            f"{user['username']}{' (staff)' if user.get('is_staff') else ''} on {client.url}",
            f"Uploads in progress: {quota['active_uploads']} of {quota['uploads']}, reserving "
            f"{human_bytes(quota['reserved_bytes'])} of {human_bytes(quota['bytes'])}; "
            f"largest file {human_bytes(quota['max_size'])}.",
        ],
    )
    return 0


# --- datasets ---------------------------------------------------------------------------------


def table(rows: list[dict], columns: list[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any, width: int = 60) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_datasets_list(args, out: Output) -> int:
    client = make_client(args, token_required=False)
    rows = list(
        client.datasets(
            limit=args.limit,
            search=args.search,
            license=args.license,
            standard=args.standard,
            status=args.status,
        )
    )
    out.result(rows, table(rows, ["slug", "name", "license", "visibility", "version_count"]))
    return 0


def cmd_datasets_show(args, out: Output) -> int:
    dataset = make_client(args, token_required=False).dataset(args.slug)
    out.result(
        dataset,
        _describe(
            dataset,
            [
                "slug",
                "name",
                "summary",
                "license",
                "standard",
                "visibility",
                "status",
                "corpus_status",
                "owner",
                "maintainers",
                "version_count",
                "web_url",
            ],
        ),
    )
    return 0


def _describe(obj: dict, keys: list[str]) -> str:
    width = max(len(k) for k in keys)
    return "\n".join(f"{k.ljust(width)}  {_cell(obj.get(k), 100)}" for k in keys if k in obj)


def cmd_datasets_versions(args, out: Output) -> int:
    rows = list(make_client(args, token_required=False).versions(args.slug))
    out.result(
        rows, table(rows, ["version", "format", "size", "row_count", "sha256", "created_at"])
    )
    return 0


def _read_json(path: str, what: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise OmiError(f"Cannot read {what} {path}: {exc.strerror}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OmiError(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None


def cmd_datasets_create(args, out: Output) -> int:
    card = _read_json(args.card, "the card") if args.card else {}
    if not isinstance(card, dict):
        raise OmiError(f"{args.card} must hold a JSON object.")
    # A whole dataset record ({"name", "license", "metadata": {...}}) or just its card (the
    # metadata the standard describes).
    record = dict(card) if ("metadata" in card or "name" in card) else {"metadata": card}
    for field in ("name", "slug", "summary", "description", "license", "standard", "homepage"):
        value = getattr(args, field)
        if value is not None:
            record[field] = value
    if args.private:
        record["visibility"] = "private"
    record.setdefault("standard", DEFAULT_STANDARD)
    missing = [f for f in ("name", "license") if not record.get(f)]
    if missing:
        raise OmiError(
            f"The dataset needs {' and '.join(missing)}: put them in the card file or pass "
            + " ".join(f"--{f}" for f in missing)
            + "."
        )
    created = make_client(args).create_dataset(**record)
    out.result(created, f"Dataset {created['slug']} is registered: {created['web_url']}")
    return 0


def cmd_datasets_upload(args, out: Output) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise OmiError(f"No such file: {path}")
    client = make_client(args)
    bar = Progress(path.stat().st_size, path.name, enabled=False if args.quiet else None)
    fields = {
        "format": args.format,
        "compression": args.compression,
        "caption_column": args.caption_column,
        "image_column": args.image_column,
        "license_column": args.license_column,
        "notes": args.notes,
    }
    try:
        version = client.upload_version(
            args.slug,
            path,
            version=args.version,
            progress=bar.update,
            note=bar.note if bar.enabled else out.info,
            chunk_size=int(args.chunk_size * MiB),
            remember=not args.no_resume,
            checksum=not args.no_checksum,
            **{k: v for k, v in fields.items() if v},
        )
    except (UploadInterrupted, KeyboardInterrupt):
        bar.close()
        raise
    bar.close()
    out.result(
        version,
        [
            f"Version {version['version']} of {args.slug} is stored: {version['size']:,} bytes, "
            f"{version['format']}, {version.get('row_count') or 0:,} rows.",
            f"sha256 {version['sha256']} (the server's, equal to yours).",
            f"Validation: omi validation wait {args.slug} {version['version']}",
        ],
    )
    if args.wait:
        return _wait(client, args.slug, args.version, args, out, quiet_result=args.json)
    return 0


# --- models -----------------------------------------------------------------------------------


def cmd_models_upload(args, out: Output) -> int:
    from .models import training_refs

    folder = Path(args.folder)
    client = make_client(args)
    card = _read_json(args.card, "card")
    if not isinstance(card, dict):
        raise OmiError(f"{args.card} must hold a JSON object (the model card).")
    training = training_refs(client, args.trained_on or [])
    if args.training_data:
        training += _read_json(args.training_data, "training data")
    bars: list[Progress] = []

    def progress_for(rel: str, size: int):
        if bars:
            bars[-1].close()
        bar = Progress(size, rel, enabled=False if args.quiet else None)
        bars.append(bar)
        return bar.update

    try:
        version = client.upload_model_version(
            args.slug,
            folder,
            version=args.version,
            card=card,
            training_data=training,
            card_body=Path(args.card_body).read_text(encoding="utf-8") if args.card_body else "",
            base_model=args.base_model or "",
            progress_for=progress_for,
            note=out.info,
            chunk_size=int(args.chunk_size * MiB),
            remember=not args.no_resume,
        )
    finally:
        if bars:
            bars[-1].close()
    checks = version.get("checks", {})
    lines = [
        f"Version {version['version']} of {args.slug} is registered: {len(version['manifest'])} "
        f"file(s), manifest sha256 {version['manifest_sha256']}.",
        *(f"  {f['role']:<16} {f['path']}  sha256 {f['sha256']}" for f in version["manifest"]),
        "Checks: "
        + ("passed." if checks.get("passed") else f"{len(checks.get('issues', []))} issue(s):"),
        *(f"  {i['file']}{i['pointer']}: {i['message']}" for i in checks.get("issues", [])),
        "Release gate: "
        + (
            "open."
            if version["gate"]["open"]
            else "closed: " + " ".join(version["gate"]["reasons"])
        ),
    ]
    out.result(version, lines)
    return 0 if checks.get("passed") else 1


# --- validation -------------------------------------------------------------------------------


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


# --- standards, governance, uploads -----------------------------------------------------------


def cmd_standards_list(args, out: Output) -> int:
    rows = list(make_client(args, token_required=False).standards())
    out.result(rows, table(rows, ["slug", "name", "group", "adopted_version"]))
    return 0


def cmd_standards_show(args, out: Output) -> int:
    client = make_client(args, token_required=False)
    slug, _, version = args.ref.partition("@")
    if version:
        sv = client.standard_version(slug, version)
        out.result(sv, _describe(sv, ["standard", "version", "status", "sha256", "web_url"]))
    else:
        standard = client.standard(slug)
        lines = [_describe(standard, ["slug", "name", "group", "adopted_version", "web_url"])]
        lines.append(table(standard.get("versions", []), ["version", "status", "sha256"]))
        out.result(standard, lines)
    return 0


def cmd_groups_list(args, out: Output) -> int:
    rows = list(make_client(args, token_required=False).groups())
    out.result(rows, table(rows, ["slug", "name", "status"]))
    return 0


def cmd_proposals_list(args, out: Output) -> int:
    rows = list(make_client(args, token_required=False).proposals(args.group))
    out.result(rows, table(rows, ["number", "kind", "status", "title"]))
    return 0


def cmd_proposals_show(args, out: Output) -> int:
    proposal = make_client(args, token_required=False).proposal(args.group, args.number)
    out.result(
        proposal,
        _describe(
            proposal,
            ["group", "number", "kind", "title", "status", "summary", "voting_closes_at", "url"],
        ),
    )
    return 0


def cmd_uploads_list(args, out: Output) -> int:
    rows = make_client(args).uploads()
    out.result(rows, table(rows, ["id", "filename", "offset", "length", "status", "expires_at"]))
    return 0


def cmd_uploads_delete(args, out: Output) -> int:
    make_client(args).delete_upload(args.upload)
    out.result({"deleted": args.upload}, f"Upload {args.upload} is deleted.")
    return 0


# --- the parser -------------------------------------------------------------------------------

EPILOG = """\
examples:
  omi login https://commons.example.org
  omi datasets create --card card.json
  omi datasets upload my-captions captions.jsonl --version 1.0.0
  omi validation wait my-captions 1.0.0
  omi validation issues my-captions 1.0.0 --rule caption_empty --format csv
  omi validate captions.jsonl --standard omi-dataset-card@1.0.0
  omi models upload omi-alpha ./release --version 0.1.0-alpha.1 --card card.json \
      --trained-on coco-val2017-captions@2017-val

The token is read from --token, $OMI_TOKEN, or what `omi login` stored; the server from --url,
$OMI_URL, or the same. Docs: docs/client.md in the OMI Commons repository.
"""


def cmd_log_verify(args, out: Output) -> int:
    from . import logverify

    site = (
        args.site or args.url or os.environ.get("OMI_URL") or config.load_credentials().get("url")
    )
    if not site:
        raise OmiError("Which site? `omi log verify URL`.")
    try:
        report = logverify.verify(
            site,
            key=args.key,
            witnesses=tuple(args.witness),
            state=Path(args.state) if args.state else None,
            download=args.download,
            say=out.info,
        )
    except logverify.VerifyError as exc:
        raise OmiError(f"The log could not be verified: {exc}") from None
    out.result(
        {
            "ok": report.ok,
            "tree_size": report.tree_size,
            "decisions": report.decisions,
            "checks": report.checks,
            "problems": report.problems,
        },
        [f"ok    {c}" for c in report.checks]
        + [f"FAIL  {p}" for p in report.problems]
        + ["The log verifies." if report.ok else "The log does NOT verify."],
    )
    return 0 if report.ok else 1


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help='print the result as JSON (errors too, as {"error": ...})',
    )
    group.add_argument(
        "--url", default=default, help="the server (default: $OMI_URL or `omi login`'s)"
    )
    group.add_argument(
        "--token", default=default, help="an API token (default: $OMI_TOKEN or stored)"
    )
    group.add_argument(
        "--retries",
        type=int,
        default=argparse.SUPPRESS if suppress else 5,
        help="tries again after 429, 503 or a dropped connection (default 5)",
    )
    group.add_argument(
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="no progress or notes on stderr",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omi",
        description="The OMI Commons registry from the command line: log in, register datasets, "
        "upload caption files resumably, follow their validation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common(False)],
    )
    parser.add_argument("--version", action="version", version=f"omi {__version__}")
    common = _common(True)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        group, name: str, handler: Callable, help: str, **kwargs
    ) -> argparse.ArgumentParser:
        sub = group.add_parser(name, help=help, description=help, parents=[common], **kwargs)
        sub.set_defaults(handler=handler)
        return sub

    def family(name: str, help: str):
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=lambda args, out: _usage(sub))
        return sub.add_subparsers(title="commands", metavar="COMMAND")

    login = command(commands, "login", cmd_login, "store a token for a server (asks for it)")
    login.add_argument("server", metavar="URL", help="the site, e.g. https://commons.example.org")
    command(commands, "logout", cmd_logout, "delete the stored token")
    command(commands, "whoami", cmd_whoami, "who the token belongs to, and your upload quota")

    models = family("models", "upload model versions (weights, configs, fine-tuning scripts)")
    sub = command(
        models,
        "upload",
        cmd_models_upload,
        "upload a folder as a new model version: every file resumable, sha256 checked end to end",
        epilog="Roles come from file names: .safetensors/.bin/.ckpt/.pt/.gguf weights, .py/.sh/"
        ".ipynb finetune_script, .json/.yaml/.toml config, .md/.txt docs, anything else other. "
        "Interrupted? Run the same command again: finished files are not sent twice while "
        "the server holds them. Exit 0: registered, checks passed; 1: registered, checks "
        "found issues; 2: not registered (an error).",
    )
    sub.add_argument("slug")
    sub.add_argument("folder", metavar="DIR")
    sub.add_argument("--version", required=True, help="semantic version, e.g. 0.1.0-alpha.1")
    sub.add_argument("--card", required=True, metavar="CARD.json", help="the model card (JSON)")
    sub.add_argument("--card-body", metavar="CARD.md", help="Markdown text of the card")
    sub.add_argument(
        "--trained-on",
        action="append",
        metavar="DATASET@VERSION",
        help="a dataset version it was trained on (repeat); its sha256 is read from the server",
    )
    sub.add_argument(
        "--training-data",
        metavar="TRAINING.json",
        help='a JSON list of {"dataset", "version", "sha256"}',
    )
    sub.add_argument(
        "--base-model", metavar="SLUG@VERSION", help="the model version it was fine-tuned from"
    )
    sub.add_argument("--chunk-size", type=float, default=CHUNK_SIZE / MiB, metavar="MiB")
    sub.add_argument("--no-resume", action="store_true", help="start afresh, even if resumable")
    sub.set_defaults(error_exit=2)  # 1 is "registered, but the server's checks found issues"

    datasets = family("datasets", "list, show, register datasets; upload versions")
    sub = command(datasets, "list", cmd_datasets_list, "datasets you may see")
    sub.add_argument("--search")
    sub.add_argument("--license")
    sub.add_argument("--standard", help="slug or slug@version")
    sub.add_argument("--status")
    sub.add_argument("--limit", type=int)
    command(datasets, "show", cmd_datasets_show, "one dataset").add_argument("slug")
    command(datasets, "versions", cmd_datasets_versions, "a dataset's versions").add_argument(
        "slug"
    )
    sub = command(
        datasets,
        "create",
        cmd_datasets_create,
        "register a dataset from a card (its metadata, or the whole record, as JSON)",
    )
    sub.add_argument(
        "--card",
        metavar="CARD.json",
        help="the dataset card; may also hold name, slug, license, standard, ...",
    )
    sub.add_argument("--name")
    sub.add_argument("--slug")
    sub.add_argument("--summary")
    sub.add_argument("--description")
    sub.add_argument("--license", help="an SPDX expression, e.g. CC-BY-4.0")
    sub.add_argument("--standard", help=f"slug@version (default {DEFAULT_STANDARD})")
    sub.add_argument("--homepage")
    sub.add_argument("--private", action="store_true", help="visible only to you and maintainers")
    sub = command(
        datasets,
        "upload",
        cmd_datasets_upload,
        "upload a caption file as a new version: resumable, sha256 checked end to end",
        epilog="Interrupted (Ctrl-C, a dropped connection)? Run the same command again: it "
        "resumes where the server stopped.",
    )
    sub.add_argument("slug")
    sub.add_argument("file")
    sub.add_argument("--version", required=True, help="the new version's label, e.g. 1.0.0")
    sub.add_argument("--format", choices=["jsonl", "csv", "tsv", "parquet"])
    sub.add_argument("--compression", choices=["gzip", "zstd"])
    sub.add_argument("--caption-column")
    sub.add_argument("--image-column")
    sub.add_argument("--license-column")
    sub.add_argument("--notes")
    sub.add_argument(
        "--chunk-size",
        type=float,
        default=CHUNK_SIZE / MiB,
        metavar="MiB",
        help=f"bytes per request, in MiB (default {CHUNK_SIZE // MiB})",
    )
    sub.add_argument("--no-resume", action="store_true", help="start afresh, even if resumable")
    sub.add_argument(
        "--no-checksum",
        action="store_true",
        help="no sha256 per request (less CPU; the whole file's sha256 is still checked)",
    )
    sub.add_argument(
        "--wait",
        action="store_true",
        help="then wait for the validation (exit like `validation wait`)",
    )
    sub.add_argument("--interval", type=float, default=2.0, help=argparse.SUPPRESS)
    sub.add_argument("--timeout", type=float, default=None, help=argparse.SUPPRESS)

    validation = family("validation", "a version's caption validation on the server")
    sub = command(validation, "status", cmd_validation_status, "the latest run")
    sub.add_argument("slug")
    sub.add_argument("version")
    sub = command(
        validation,
        "wait",
        cmd_validation_wait,
        "wait for the latest run; exit 0 passed, 1 errors found, 2 failed, 3 could not tell",
    )
    sub.add_argument("slug")
    sub.add_argument("version")
    sub.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    sub.add_argument("--timeout", type=float, help="give up after this many seconds")
    sub.set_defaults(error_exit=VERDICT_UNKNOWN)
    sub = command(validation, "issues", cmd_validation_issues, "the issues of the latest run")
    sub.add_argument("slug")
    sub.add_argument("version")
    sub.add_argument("--rule", help="one rule code, e.g. caption_empty")
    sub.add_argument("--severity", choices=["error", "warning"])
    sub.add_argument("--format", choices=["table", "json", "csv"], default="table")
    sub.add_argument("--limit", type=int)

    sub = command(
        commands,
        "validate",
        cmd_validate,
        "validate a caption file locally with the platform's engine (before uploading); "
        "exit 0 passed, 1 errors found, 2 unreadable",
    )
    sub.add_argument("file")
    sub.add_argument(
        "--standard", metavar="SLUG@VERSION", help="that standard version's rules (from the server)"
    )
    sub.add_argument("--rules", metavar="RULES.json", help="a rule set file")
    sub.add_argument("--format", choices=["jsonl", "csv", "tsv", "parquet"])
    sub.add_argument("--compression", choices=["none", "gzip", "zstd"])
    sub.add_argument("--caption-column")
    sub.add_argument("--image-column")
    sub.add_argument("--license-column")
    sub.add_argument("--report", metavar="OUT.jsonl", help="write every issue (.gz: compressed)")
    sub.add_argument("--workers", type=int, default=max(1, min(4, (os.cpu_count() or 1) // 2)))
    sub.set_defaults(error_exit=VERDICT_FAILED)

    standards = family("standards", "metadata standards")
    command(standards, "list", cmd_standards_list, "every standard")
    command(
        standards, "show", cmd_standards_show, "a standard, or one version (SLUG@VERSION)"
    ).add_argument("ref")

    groups = family("groups", "working groups")
    command(groups, "list", cmd_groups_list, "every working group")
    proposals = family("proposals", "a group's proposals")
    command(proposals, "list", cmd_proposals_list, "a group's proposals").add_argument("group")
    sub = command(proposals, "show", cmd_proposals_show, "one proposal")
    sub.add_argument("group")
    sub.add_argument("number", type=int)

    log = family("log", "the site's public transparency log")
    sub = command(
        log,
        "verify",
        cmd_log_verify,
        "verify the log: checkpoint signature, every entry, the hash chain and Merkle root, "
        "every decision re-run from its ballots; exit 0 verified, 1 not",
    )
    sub.add_argument("site", metavar="URL", nargs="?", help="the site (default: --url / login's)")
    sub.add_argument("--key", help="the log's verifier key, obtained elsewhere (pins it)")
    sub.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="KEY",
        help="a witness's verifier key whose cosignature is required (repeatable)",
    )
    sub.add_argument(
        "--state",
        metavar="FILE",
        help="keeps the last verified checkpoint: the next run checks the log still extends it",
    )
    sub.add_argument("--download", action="store_true", help="check dataset files' sha256 too")

    uploads = family("uploads", "your resumable uploads on the server")
    command(uploads, "list", cmd_uploads_list, "uploads in progress or waiting to be used")
    command(uploads, "delete", cmd_uploads_delete, "delete one (frees your quota)").add_argument(
        "upload", metavar="ID"
    )
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        return 2
    out = Output(as_json=args.json, quiet=args.quiet)
    try:
        return int(args.handler(args, out) or 0)
    except UploadInterrupted as exc:
        out.fail(exc)
        return 1
    except KeyboardInterrupt:
        out.fail(
            OmiError(
                "Interrupted. An upload resumes where it stopped if you run the same command again."
            )
        )
        return 130
    except OmiError as exc:
        out.fail(exc)
        return getattr(args, "error_exit", 1)
