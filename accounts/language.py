"""Which language a page, an API answer or an e-mail is in.

The site: a signed-in person's own choice (the account page or the switcher) wins, then the
switcher's cookie, then the browser's ``Accept-Language``, then English. The API: the
``Accept-Language`` a client sends (or the cookie, for the browsable API), never a stored
preference, so a script gets the language it asks for. E-mails and notifications: the
recipient's choice, else the site's default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

API_PREFIX = "/api/"


def supported(code: str | None) -> str | None:
    """``code`` as one of ``settings.LANGUAGES`` (``pt-BR`` -> ``pt-br``), or ``None``."""
    if not code:
        return None
    code = code.lower().replace("_", "-")
    return code if code in dict(settings.LANGUAGES) else None


def language_of(user: Any) -> str:
    """The language to write to ``user`` in: their choice, else the site's default."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


@contextlib.contextmanager
def speaking_to(user: Any) -> Iterator[str]:
    """Translate what is rendered inside the block (an e-mail, a notification) for ``user``."""
    language = language_of(user)
    with translation.override(language):
        yield language


class PreferredLanguageMiddleware:
    """After authentication: a signed-in person's saved language replaces what
    ``LocaleMiddleware`` chose from the cookie or ``Accept-Language`` (site pages only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(API_PREFIX)
            and (language := supported(user.language))
        ):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, then back to ``next``), and for a signed-in person
    the saved preference too: otherwise their old preference would win again on the next page."""
    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    user = request.user
    if language and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
