"""Webhook secrets at rest: encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
``cryptography`` package) under a key that lives in the settings, not in the database.

The key is ``WEBHOOK_SECRET_KEY`` or, when unset, derived from ``SECRET_KEY``; earlier keys in
``SECRET_KEY_FALLBACKS`` still decrypt, so rotating ``SECRET_KEY`` the Django way keeps webhooks
working. A dump of the database (or the admin, or the API) never shows a secret: the API shows
it once, in the answer that created or replaced it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as random

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key that is no longer configured."""


def _fernet(material: str) -> Fernet:
    digest = hashlib.sha256(f"omi-commons webhook secrets|{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    materials = [settings.WEBHOOK_SECRET_KEY] if settings.WEBHOOK_SECRET_KEY else []
    materials += [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(m) for m in materials if m])


def generate() -> str:
    return "whsec_" + random.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            gettext(
                "The webhook's secret cannot be decrypted with the configured keys; set a new one."
            )
        ) from None
