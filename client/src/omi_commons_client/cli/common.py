"""What every command shares: output (text or JSON), the client from the options, tables."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import config
from ..client import Client
from ..errors import OmiError
from ..progress import human_bytes

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


def _describe(obj: dict, keys: list[str]) -> str:
    width = max(len(k) for k in keys)
    return "\n".join(f"{k.ljust(width)}  {_cell(obj.get(k), 100)}" for k in keys if k in obj)


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
