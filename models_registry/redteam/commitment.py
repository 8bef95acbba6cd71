"""Commit and reveal (documented for outside verifiers in docs/redteam.md).

``content`` is the finding as filed: ``{"campaign", "number", "title", "category", "severity",
"description", "reproduction", "evidence"}`` where ``evidence`` is the list of the attached
images' sha256s, in upload order. The commitment is::

    sha256(canonical_json({"content": content, "salt": salt})).hexdigest()

with ``canonical_json`` = ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode("utf-8")`` and ``salt`` 32 random bytes as 64 hex characters, kept
secret until disclosure.
"""

from __future__ import annotations

import secrets
from typing import Any

from config.canonical import sha256_of


def new_salt() -> str:
    return secrets.token_hex(32)


def commit(content: dict[str, Any], salt: str) -> str:
    return sha256_of({"content": content, "salt": salt})


def verify(content: dict[str, Any], salt: str, commitment: str) -> bool:
    return secrets.compare_digest(commit(content, salt), commitment)
