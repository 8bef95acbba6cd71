"""SPDX licence checks, offline, through ``license-expression``'s bundled SPDX list."""

from __future__ import annotations

import functools
import re

_LICENSEREF = re.compile(r"^(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$")


@functools.cache
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@functools.lru_cache(maxsize=4096)
def is_valid_spdx(value: str) -> bool:
    """True when ``value`` is a valid SPDX licence expression (ids, WITH, AND/OR, LicenseRef-…).

    Cached: a caption file usually repeats a handful of licence values millions of times.
    """
    if not value or value != value.strip():
        return False
    if _LICENSEREF.match(value):
        return True
    try:
        result = _licensing().validate(value, strict=True)
    except Exception:
        return False
    return not result.errors
