"""The demo's model: "OMI Alpha (demo)", called from ``seed_demo`` after the registry's seed.

A candidate version ``0.1.0-alpha.1`` with a small real safetensors file (written here, by the
format's rules, with a ModelSpec ``__metadata__``), a config and a fine-tuning script, trained on
the COCO demo version, and a release vote open in the Steering Committee. Idempotent; each part
in its own transaction.
"""

from __future__ import annotations

import hashlib
import json
import struct
from contextlib import contextmanager
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from . import services
from .bootstrap import ensure_omi_model_card
from .models import Model

SLUG = "omi-alpha-demo"
GROUP = "steering-committee"
COCO = ("coco-val2017-captions", "2017-val")
VERSION = "0.1.0-alpha.1"

MODELSPEC = {
    "modelspec.sai_model_spec": "1.0.0",
    "modelspec.architecture": "omi-alpha/v0-demo",
    "modelspec.implementation": "https://github.com/Open-Model-Initiative",
    "modelspec.title": "OMI Alpha (demo)",
    "modelspec.resolution": "256x256",
    "modelspec.author": "Open Model Initiative (demo)",
    "modelspec.license": "CDLA-Permissive-2.0",
    "modelspec.description": "A tiny untrained network: it exists to exercise the registry.",
}

FINETUNE_SCRIPT = '''"""Fine-tune OMI Alpha (demo) on a caption file (JSON Lines: file_name, text).

    python finetune.py --weights model.safetensors --captions captions.jsonl --out tuned.safetensors
"""
import argparse
import json

import numpy as np
from safetensors.numpy import load_file, save_file


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--captions", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--lr", type=float, default=1e-4)
    args = parser.parse_args()
    tensors = load_file(args.weights)
    with open(args.captions, encoding="utf-8") as fh:
        steps = sum(1 for line in fh if json.loads(line).get("text"))
    rng = np.random.default_rng(0)
    for name, value in tensors.items():
        # A stand-in update: a real trainer computes gradients from the captioned images.
        tensors[name] = value - args.lr * steps * rng.standard_normal(value.shape).astype(value.dtype)
    save_file(tensors, args.out, metadata={"modelspec.title": "OMI Alpha (demo), fine-tuned"})


if __name__ == "__main__":
    main()
'''

CONFIG = {"architecture": "omi-alpha/v0-demo", "resolution": 256, "channels": 4, "layers": 2}

CARD = {
    "license": "CDLA-Permissive-2.0",
    "code_license": "Apache-2.0",
    "pipeline_tag": "text-to-image",
    "library_name": "safetensors",
    "tags": ["omi", "alpha", "demo"],
    "language": ["en"],
    "model_summary": "The demo's alpha: a tiny network with the shape of a release.",
    "intended_uses": "Trying the registry: red-team campaigns, release votes, fine-tuning scripts.",
    "out_of_scope_uses": "Generating images: it is untrained.",
    "limitations": "Two small tensors; no generative ability.",
    "risks": "None from the weights; the process around them is what is being tested.",
    "training_procedure": "Not trained; the weights are deterministic numbers.",
}


def safetensors_bytes(tensors: dict[str, tuple[str, list[int], bytes]], metadata: dict) -> bytes:
    """A safetensors file: u64-LE header length, JSON header, the tensor bytes in order."""
    header: dict = {"__metadata__": metadata}
    offset = 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {
            "dtype": dtype,
            "shape": shape,
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the tensor data starts 8-byte aligned, as safetensors writes it
    return struct.pack("<Q", len(raw)) + raw + b"".join(d for _, _, d in tensors.values())


def demo_weights() -> bytes:
    conv = struct.pack("<64f", *[(i % 7 - 3) / 10 for i in range(64)])
    bias = struct.pack("<4f", 0.0, 0.1, 0.2, 0.3)
    return safetensors_bytes(
        {"net.conv.weight": ("F32", [4, 4, 2, 2], conv), "net.conv.bias": ("F32", [4], bias)},
        MODELSPEC,
    )


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    f = SimpleUploadedFile(name, data)
    f.sha256 = hashlib.sha256(data).hexdigest()
    return f


@contextmanager
def _eager_tasks():
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def _validated_coco(stdout):
    """The COCO demo version, validated (run here, in this process, when no worker did yet)."""
    from datasets_registry.models import DatasetVersion
    from datasets_registry.validation import tasks
    from datasets_registry.validation.models import ValidationRun
    from datasets_registry.validation.selectors import latest_run

    dv = (
        DatasetVersion.objects.select_related("dataset")
        .filter(dataset__slug=COCO[0], version=COCO[1])
        .first()
    )
    if dv is None:
        return None
    run = latest_run(dv)
    if run is None or run.status == ValidationRun.Status.QUEUED:
        if run is None:
            from datasets_registry.validation.services import run_create

            with transaction.atomic():
                run = run_create(version=dv)
        with _eager_tasks():
            tasks.start_validation_run.apply(args=[run.pk])
    return dv


def seed(*, people, stdout=None) -> None:
    from governance import services as gov
    from governance.models import WorkingGroup

    def say(text):
        if stdout is not None:
            stdout.write(text)

    card = ensure_omi_model_card()
    group = WorkingGroup.objects.filter(slug=GROUP).first()
    owner = people["demo-committer1"]
    if group is None:
        say("  models: no steering-committee group; skipped.")
        return
    model = Model.objects.filter(slug=SLUG).first()
    if model is None:
        model = services.model_create(
            actor=owner,
            name="OMI Alpha (demo)",
            slug=SLUG,
            summary="The alpha test model for the red team, with its fine-tuning script.",
            description="A tiny, untrained network with the shape of a release: ModelSpec "
            "metadata in its safetensors header, a fine-tuning script, trained (in name) on the "
            "COCO demo captions. Released by a vote of the Steering Committee.",
            license="CDLA-Permissive-2.0",
            group=group,
            standard=card.ref,
        )
        model.maintainers.add(people["demo-committer2"])
    version = model.versions.filter(version=VERSION).first()
    if version is None:
        dv = _validated_coco(stdout)
        if dv is None:
            say("  models: the COCO demo version is missing; OMI Alpha (demo) has no version.")
            return
        try:
            version = services.version_register(
                model=model,
                actor=owner,
                version=VERSION,
                card=CARD,
                card_body="The demo's alpha release candidate. **Not** a useful model.",
                training_data=[{"dataset": COCO[0], "version": COCO[1], "sha256": dv.sha256}],
                files=[
                    services.IncomingFile(
                        "unet/model.safetensors",
                        "weights",
                        _upload("model.safetensors", demo_weights()),
                    ),
                    services.IncomingFile(
                        "config.json",
                        "config",
                        _upload("config.json", json.dumps(CONFIG, indent=2).encode()),
                    ),
                    services.IncomingFile(
                        "scripts/finetune.py",
                        "finetune_script",
                        _upload("finetune.py", FINETUNE_SCRIPT.encode()),
                    ),
                ],
            )
        except services.Invalid as exc:
            say(f"  models: OMI Alpha (demo) has no version yet: {exc.message}")
            return
    from .selectors import release_proposal

    if release_proposal(version) is None and version.status == "candidate":
        from config.errors import DomainError

        try:
            _open_vote(version, owner, people, gov)
        except DomainError as exc:
            say(f"  models: no release vote for {version}: {exc.message}")
            return
    say(
        f"  models: {model.name} {version.version} ({version.get_status_display().lower()}), release vote open"
    )


def _open_vote(version, owner, people, gov) -> None:
    with transaction.atomic():
        proposal = services.propose_release(version=version, actor=owner)
        gov.proposal_to_discussion(proposal=proposal, actor=owner)
        gov.proposal_open_voting(
            proposal=proposal,
            actor=people["demo-chair"],
            closes_at=timezone.now() + timedelta(days=5),
        )
        for voter in ("demo-committer1", "demo-committer2"):
            gov.vote_cast(proposal=proposal, voter=people[voter], choice="yes")
