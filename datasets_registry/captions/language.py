"""Offline language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

import functools


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability between 0 and 1)."""
    lang, prob = _identifier().classify(text)
    return lang, float(prob)
