"""Witness a transparency log: accept its new checkpoint only if it extends the last one this
witness accepted, then cosign it (C2SP tlog-cosignature/v1) and submit the cosignature.

    python manage.py log_witness https://commons.example.org            # witness once
    python manage.py log_witness --show-key                              # the key staff register

State lives in ``DATA_DIR/witness/`` (or ``--dir``): the witness's own Ed25519 key and, per log,
the log's verifier key (pinned on first contact, or given with ``--log-key``) and the last
checkpoint accepted. A checkpoint that does not extend it (a smaller tree, another root for the
same size, a failing consistency proof: a split view or a rewritten log) is refused, loudly, and
never cosigned.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from transparency import note
from transparency.verifier import logverify


class Refused(Exception):
    pass


def _witness_key(directory: Path, name: str):
    text = note.load_or_create_key(directory / "witness_key", name)
    key_name, key = note.parse_signer_key(text)
    return key_name, key


def witness(url: str, *, directory: Path, name: str, log_key: str | None = None, say=print) -> dict:
    """One round; returns the new state. Raises ``Refused`` for a checkpoint it must not sign."""
    base = url.rstrip("/")
    directory.mkdir(parents=True, exist_ok=True)
    state_file = directory / f"log-{hashlib.sha256(base.encode()).hexdigest()[:16]}.json"
    old = json.loads(state_file.read_text()) if state_file.exists() else None
    pinned = log_key or (old or {}).get("log_key")
    served = requests.get(base + "/api/v1/log/key", timeout=30).json()["verifier_key"]
    if pinned and pinned != served:
        raise Refused("the log now serves another key than the one this witness pinned")
    pinned = pinned or served
    signed = requests.get(base + "/api/v1/log/checkpoint", timeout=30).content.decode("utf-8")
    try:
        text = logverify.open_note(signed, pinned)
        origin, size, root = logverify.parse_checkpoint(text)
    except logverify.VerifyError as exc:
        raise Refused(f"the checkpoint's signature does not verify: {exc}") from None
    if old is not None:
        old_size, old_root = old["size"], bytes.fromhex(old["root"])
        if size < old_size:
            raise Refused(f"the log shrank from {old_size} to {size} entries")
        if size == old_size and root != old_root:
            raise Refused(f"two different trees of size {size}: a split view")
        if size > old_size and old_size > 0:
            proof = requests.get(
                base + "/api/v1/log/proof/consistency/",
                params={"first": old_size, "second": size},
                timeout=30,
            ).json()
            try:
                logverify.verify_consistency(
                    old_size, size, [note.unb64(h) for h in proof.get("hashes", [])], old_root, root
                )
            except (logverify.VerifyError, note.NoteError) as exc:
                raise Refused(
                    f"the tree of {size} does not extend the tree of {old_size} "
                    f"this witness signed: {exc}"
                ) from None
    key_name, key = _witness_key(directory, name)
    line = note.cosign(text, key_name, key, int(time.time()))
    response = requests.post(
        base + "/api/v1/log/cosignatures/",
        json={"tree_size": size, "cosignature": line},
        timeout=30,
    )
    state = {"log_key": pinned, "origin": origin, "size": size, "root": root.hex(), "note": text}
    state_file.write_text(json.dumps(state))
    if response.status_code != 201:
        say(f"Cosigned tree {size}, but the log did not take it: {response.text[:300]}")
    else:
        say(f"Cosigned {origin} at tree size {size}.")
    return state


class Command(BaseCommand):
    help = "Check a log's new checkpoint against the last one accepted, then cosign it."

    def add_arguments(self, parser):
        parser.add_argument(
            "url", nargs="?", help="the log's site, e.g. https://commons.example.org"
        )
        parser.add_argument("--log-key", help="the log's verifier key (else pinned on first use)")
        parser.add_argument("--dir", help="state directory (default DATA_DIR/witness)")
        parser.add_argument("--name", help="the witness's key name (first run only)")
        parser.add_argument(
            "--show-key", action="store_true", help="print this witness's verifier key and stop"
        )

    def handle(self, *args, **options):
        directory = Path(options["dir"] or Path(settings.DATA_DIR) / "witness")
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
        name = options["name"] or f"{host}/witness"
        if options["show_key"]:
            key_name, key = _witness_key(directory, name)
            self.stdout.write(
                note.verifier_key(key_name, note.raw_public(key), note.COSIGNATURE_V1)
            )
            return
        if not options["url"]:
            raise CommandError("Which log? log_witness URL")
        try:
            witness(
                options["url"],
                directory=directory,
                name=name,
                log_key=options["log_key"],
                say=self.stdout.write,
            )
        except Refused as exc:
            raise CommandError(f"REFUSED to cosign: {exc}") from None
        except requests.RequestException as exc:
            raise CommandError(f"Could not reach the log: {exc}") from None
