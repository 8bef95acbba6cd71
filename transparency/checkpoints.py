"""Signed checkpoints of the log: the log key, signing at most every few seconds, cosignatures.

Settings: ``LOG_ORIGIN`` (the checkpoint's first line and the key's name; default
``<SITE_URL host>/log``), ``LOG_SIGNING_KEY`` (a ``PRIVATE+KEY+…`` signer key; default: one
generated into ``DATA_DIR/log_signing_key`` on first use), ``LOG_CHECKPOINT_INTERVAL`` (seconds
between two signatures while entries arrive).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import note, tree
from .models import Checkpoint, Cosignature, WitnessKey

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogKey:
    origin: str
    name: str
    signer: object
    verifier_key: str
    public_key: bytes


def origin() -> str:
    return settings.LOG_ORIGIN


@functools.cache
def _key(origin: str, configured: str, path: str) -> LogKey:
    text = configured or note.load_or_create_key(Path(path), origin)
    name, signer = note.parse_signer_key(text)
    public = note.raw_public(signer)
    return LogKey(origin, name, signer, note.verifier_key(name, public), public)


def log_key() -> LogKey:
    path = Path(settings.DATA_DIR) / "log_signing_key"
    return _key(origin(), settings.LOG_SIGNING_KEY, str(path))


def sign(tree_size: int) -> Checkpoint:
    """Sign the checkpoint of ``tree_size`` (stored nodes must cover it); idempotent."""
    existing = Checkpoint.objects.filter(tree_size=tree_size).first()
    if existing is not None:
        return existing
    key = log_key()
    root = tree.root(tree_size)
    text = note.checkpoint_text(key.origin, tree_size, root)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                tree_size=tree_size, root_hash=root, note=note.sign(text, key.name, key.signer)
            )
    except IntegrityError:
        return Checkpoint.objects.get(tree_size=tree_size)


def latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


def maybe_sign(*, force: bool = False) -> Checkpoint:
    """The latest checkpoint, after signing a new one when entries arrived and the last one is
    older than ``LOG_CHECKPOINT_INTERVAL`` (or ``force``). Only committed entries are ever in
    the tree (``tree.sync`` reads what is committed), so a checkpoint never names an entry that
    could still roll back."""
    current = latest()
    interval = timedelta(seconds=settings.LOG_CHECKPOINT_INTERVAL)
    if current is not None and not force and current.created_at > timezone.now() - interval:
        return current
    size = tree.sync()
    if current is not None and current.tree_size >= size:
        return current
    return sign(size)


def sign_after_commit() -> None:
    """``on_commit`` hook of every append: a failure to sign never fails the write."""
    try:
        maybe_sign()
    except Exception:
        logger.exception("Signing a checkpoint failed; the next append or reader retries.")


def with_cosignatures(checkpoint: Checkpoint) -> str:
    """The signed note with the cosignatures of active registered witnesses appended."""
    lines = (
        Cosignature.objects.filter(checkpoint=checkpoint, witness__active=True)
        .order_by("witness__name")
        .values_list("line", flat=True)
    )
    return checkpoint.note + "".join(lines)


class CosignatureRefused(ValueError):
    pass


def add_cosignature(*, tree_size: int, line: str) -> Cosignature:
    """Accept a witness's cosignature of the checkpoint of ``tree_size``: it must verify under
    an active registered witness key."""
    checkpoint = Checkpoint.objects.filter(tree_size=tree_size).first()
    if checkpoint is None:
        raise CosignatureRefused(gettext("No checkpoint of this tree size was signed."))
    if not line.endswith("\n"):
        line += "\n"
    text, _ = note.split(checkpoint.note)
    parts = line.split(" ")
    name = parts[1] if len(parts) == 3 else ""
    witness = WitnessKey.objects.filter(name=name, active=True).first()
    if witness is None:
        raise CosignatureRefused(gettext("This witness is not registered with the log."))
    try:
        timestamp = note.verify_cosignature(
            text, line, note.parse_verifier_key(witness.verifier_key)
        )
    except note.NoteError as exc:
        raise CosignatureRefused(
            gettext("The cosignature does not verify: %(reason)s.") % {"reason": exc}
        ) from None
    cosig, _ = Cosignature.objects.update_or_create(
        checkpoint=checkpoint, witness=witness, defaults={"timestamp": timestamp, "line": line}
    )
    return cosig
