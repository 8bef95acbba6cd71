"""`omi models upload`: a folder of weights, configs and fine-tuning scripts, resumably."""

from __future__ import annotations

from pathlib import Path

from ..errors import OmiError
from ..progress import Progress
from .common import (
    MiB,
    Output,
    _read_json,
    make_client,
)


def cmd_models_upload(args, out: Output) -> int:
    from ..models import training_refs

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
