"""`omi datasets …`: list, show, versions, create and upload (resumable)."""

from __future__ import annotations

from pathlib import Path

from ..errors import OmiError, UploadInterrupted
from ..progress import Progress
from .common import (
    DEFAULT_STANDARD,
    MiB,
    Output,
    _describe,
    _read_json,
    make_client,
    table,
)
from .validation import _wait


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


def cmd_datasets_versions(args, out: Output) -> int:
    rows = list(make_client(args, token_required=False).versions(args.slug))
    out.result(
        rows, table(rows, ["version", "format", "size", "row_count", "sha256", "created_at"])
    )
    return 0


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
