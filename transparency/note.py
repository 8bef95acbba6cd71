"""C2SP signed notes, checkpoints and cosignatures, with Ed25519 (``cryptography``).

- signed-note: ``text`` (ending in a newline), a blank line, then one line per signature:
  ``— <name> <base64(key hash (4 bytes) || signature)>``. The key hash is
  ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``; a verifier key is
  ``<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>`` and a signer key
  ``PRIVATE+KEY+<name>+<key hash>+<base64(0x01 || 32-byte seed)>`` (golang.org/x/mod/sumdb/note).
- tlog-checkpoint: the note's text is ``<origin>\\n<tree size>\\n<base64 root hash>\\n``.
- tlog-cosignature/v1: a witness signs ``cosignature/v1\\ntime <unix seconds>\\n<checkpoint>``
  with a type 0x04 key; the line's base64 is ``key hash || timestamp (8 bytes, big endian) ||
  signature``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"


class NoteError(ValueError):
    pass


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise NoteError("not base64") from exc


def key_hash(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError("a key name is non-empty, without spaces or '+'")


def verifier_key(name: str, public: bytes, key_type: int = ED25519) -> str:
    _check_name(name)
    return f"{name}+{key_hash(name, key_type, public).hex()}+{b64(bytes([key_type]) + public)}"


def signer_key(name: str, key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    hash_hex = key_hash(name, ED25519, raw_public(key)).hex()
    return f"PRIVATE+KEY+{name}+{hash_hex}+{b64(bytes([ED25519]) + seed)}"


def parse_signer_key(text: str) -> tuple[str, Ed25519PrivateKey]:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key is PRIVATE+KEY+<name>+<hash>+<base64 key>")
    name, hash_hex, data = parts[2], parts[3], unb64(parts[4])
    if len(data) != 33 or data[0] != ED25519:
        raise NoteError("only Ed25519 signer keys (type 0x01) are supported")
    key = Ed25519PrivateKey.from_private_bytes(data[1:])
    if key_hash(name, ED25519, raw_public(key)).hex() != hash_hex:
        raise NoteError("the signer key's hash does not match its key")
    return name, key


@dataclass(frozen=True)
class Verifier:
    name: str
    key_type: int
    key_id: bytes
    public: Ed25519PublicKey


def parse_verifier_key(text: str) -> Verifier:
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<hash>+<base64 key>")
    name, hash_hex, data = parts[0], parts[1], unb64(parts[2])
    _check_name(name)
    if len(data) != 33 or data[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 keys (type 0x01 or 0x04) are supported")
    if key_hash(name, data[0], data[1:]).hex() != hash_hex:
        raise NoteError("the verifier key's hash does not match its key")
    return Verifier(
        name, data[0], bytes.fromhex(hash_hex), Ed25519PublicKey.from_public_bytes(data[1:])
    )


def signature_line(name: str, key_id: bytes, signature: bytes) -> str:
    return f"{DASH} {name} {b64(key_id + signature)}\n"


def sign(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """The signed note of ``text`` (which must end in a newline)."""
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note's text ends with a newline and has no blank line")
    signature = key.sign(text.encode())
    return text + "\n" + signature_line(name, key_hash(name, ED25519, raw_public(key)), signature)


def split(note: str) -> tuple[str, list[str]]:
    """``(text, signature lines)`` of a signed note."""
    text, sep, sigs = note.rpartition("\n\n")
    if not sep:
        raise NoteError("a signed note has a blank line before its signatures")
    lines = sigs.splitlines(keepends=True)
    if not lines or any(
        not line.startswith(DASH + " ") or not line.endswith("\n") for line in lines
    ):
        raise NoteError("malformed signature line")
    return text + "\n", lines


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{b64(root)}\n"


def cosigned_message(checkpoint: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + checkpoint.encode()


def cosign(checkpoint: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """A witness's cosignature line for ``checkpoint`` (the note's text)."""
    signature = key.sign(cosigned_message(checkpoint, timestamp))
    key_id = key_hash(name, COSIGNATURE_V1, raw_public(key))
    return signature_line(name, key_id, timestamp.to_bytes(8, "big") + signature)


def verify_cosignature(checkpoint: str, line: str, witness: Verifier) -> int:
    """Check a cosignature line against a witness key; returns its timestamp."""
    if witness.key_type != COSIGNATURE_V1:
        raise NoteError("a witness key has type 0x04 (cosignature/v1)")
    parts = line.rstrip("\n").split(" ")
    if len(parts) != 3 or parts[0] != DASH or parts[1] != witness.name:
        raise NoteError("the line is not a cosignature by this witness")
    data = unb64(parts[2])
    if len(data) != 4 + 8 + 64 or data[:4] != witness.key_id:
        raise NoteError("the cosignature's key hash does not name this witness key")
    timestamp = int.from_bytes(data[4:12], "big")
    try:
        witness.public.verify(data[12:], cosigned_message(checkpoint, timestamp))
    except InvalidSignature:
        raise NoteError("the cosignature does not verify") from None
    return timestamp


# --- The log's own key -----------------------------------------------------------------------


def load_or_create_key(path: Path, name: str) -> str:
    """The signer key stored at ``path``; generated there (mode 0600) on first use. The file
    appears whole or not at all (written aside, then linked in), so two processes starting
    together agree on one key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(signer_key(name, Ed25519PrivateKey.generate()) + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process made it a moment ago: theirs is the key
        finally:
            aside.unlink()
    return path.read_text().strip()
