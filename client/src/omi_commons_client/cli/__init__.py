"""The ``omi`` command: the OMI Commons registry from a terminal or a script.

Every command takes ``--json`` (the result as JSON on stdout, errors as ``{"error": {...}}``),
``--url`` and ``--token`` (else ``$OMI_URL`` / ``$OMI_TOKEN``, else what ``omi login`` stored)
and ``--retries``. Exit status: 0 success, 1 the server refused or the network failed, 2 bad
usage; ``omi validation wait`` and ``omi validate`` answer like ``validate_captions``: 0 passed,
1 errors found, 2 the run failed or the file is unreadable (3: could not find out).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from .. import __version__
from ..errors import OmiError, UploadInterrupted
from ..uploads import CHUNK_SIZE
from .browse import (
    cmd_groups_list,
    cmd_proposals_list,
    cmd_proposals_show,
    cmd_standards_list,
    cmd_standards_show,
    cmd_uploads_delete,
    cmd_uploads_list,
)
from .common import (
    DEFAULT_STANDARD,
    VERDICT_FAILED,
    VERDICT_UNKNOWN,
    MiB,
    Output,
    cmd_login,
    cmd_logout,
    cmd_whoami,
)
from .datasets import (
    cmd_datasets_create,
    cmd_datasets_list,
    cmd_datasets_show,
    cmd_datasets_upload,
    cmd_datasets_versions,
)
from .log import cmd_log_verify
from .models import cmd_models_upload
from .validation import (
    cmd_validate,
    cmd_validation_issues,
    cmd_validation_status,
    cmd_validation_wait,
)

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
