"""Read-only commands: standards, working groups, proposals, and one's resumable uploads."""

from __future__ import annotations

from .common import (
    Output,
    _describe,
    make_client,
    table,
)


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
