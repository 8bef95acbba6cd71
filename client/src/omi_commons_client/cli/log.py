"""`omi log verify`: the standalone verifier of the public log."""

from __future__ import annotations

import os
from pathlib import Path

from .. import config
from ..errors import OmiError
from .common import (
    Output,
)


def cmd_log_verify(args, out: Output) -> int:
    from .. import logverify

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
