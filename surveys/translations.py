"""A survey author's own translations of their questions (issue 18; XLSForm's ``label::Italian``).

A definition may give a question's prompt and help, an option's or a matrix row's label and a
section's title and description in any of the site's languages (``settings.LANGUAGES``)::

    {"prompt": "Which tools do you use?",
     "translations": {"it": {"prompt": "Quali strumenti usi?"}, "pt-BR": {"prompt": "..."}}}
    {"key": "yes", "label": "Yes", "translations": {"it": "Sì", "pt-BR": "Sim"}}

Language keys are stored in one normal form, the BCP 47 tag of the site's language ("it",
"pt-BR": ``pt-br`` and ``pt_BR`` are read as the same). The source texts (``prompt``, ``label``)
stay what results, exports and answer values use; the translations are only shown to people,
in the active language of their request, where the author gave one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def _tag(code: str) -> str:
    """A Django language code as a BCP 47 tag: "pt-br" → "pt-BR"."""
    language, _sep, region = code.partition("-")
    return f"{language.lower()}-{region.upper()}" if region else language.lower()


def languages() -> list[str]:
    """The site's languages, as stored keys ("en", "it", "pt-BR")."""
    return [_tag(code) for code, _name in settings.LANGUAGES]


def normal(raw: Any) -> str | None:
    """The stored key of a language given as "pt-BR", "pt-br", "pt_BR" (…), or None when it is
    not one of the site's languages."""
    if not isinstance(raw, str):
        return None
    wanted = raw.strip().replace("_", "-").lower()
    for tag in languages():
        if tag.lower() == wanted:
            return tag
    return None


def active() -> str | None:
    """The stored key of the request's language (None outside a request with a language)."""
    code = translation.get_language()
    return normal(code) if code else None


def check(value: Any, pointer: str, errors: dict[str, list[str]]) -> dict:
    """The translations object ``value`` with its language keys in normal form; each key that is
    not a site language (or names one twice) is reported at ``pointer/<key>``."""
    if not value:
        return {}
    out: dict = {}
    allowed = ", ".join(languages())
    for raw, text in value.items():
        key = normal(raw)
        if key is None:
            errors.setdefault(f"{pointer}/{raw}", []).append(
                _("“%(key)s” is not one of the site's languages: use %(allowed)s.")
                % {"key": raw, "allowed": allowed}
            )
        elif key in out:
            errors.setdefault(f"{pointer}/{raw}", []).append(
                _("The language “%(key)s” is given twice.") % {"key": key}
            )
        else:
            out[key] = text
    return out


def text(source: str, translations: dict | None, field: str | None = None, language=None) -> str:
    """``source`` in ``language`` (the active one by default) where a translation exists.
    ``field`` names the text in an object of translations ("prompt"); None: the translations
    are the texts themselves (an option's label)."""
    language = language or active()
    if not translations or not language:
        return source
    entry = translations.get(language)
    if field is not None:
        entry = entry.get(field) if isinstance(entry, dict) else None
    return entry if isinstance(entry, str) and entry else source
