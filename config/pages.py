"""The one path from a domain error to a web page. Every app's views use it.

One meaning per error class, the same as in the API (``config.api``):

===============  ========================================================================
``NotFound``     the 404 page
``NotAllowed``   the 403 page, with the service's message
``Invalid``      on a form: the messages beside their fields (``apply_errors``); elsewhere a
                 flash message and back to the page the action came from
``Conflict``     the same as ``Invalid``: the request was understood, the state forbids it
``RateLimited``  the same as ``Invalid`` (a form view may answer 429)
``Unavailable``  the 503 page (``config.outages``): the cache or the broker is down
===============  ========================================================================

Form views::

    try:
        services.proposal_create(...)
    except DomainError as exc:
        apply_errors(form, exc)          # re-raises NotFound / NotAllowed as 404 / 403

Action views (a button that POSTs and returns to its page)::

    @write_view
    def proposal_withdraw(request, slug, number): ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .errors import DomainError, NotAllowed, NotFound, Unavailable


def raise_for_page(exc: DomainError) -> None:
    """Turn the errors that replace a whole page into Django's 404 and 403, re-raise
    ``Unavailable`` for the 503 page (``config.outages``), and return for the others, which the
    page shows itself."""
    if isinstance(exc, Unavailable):
        raise exc
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


def field_for(key: str, form, aliases: Mapping[str, str] | None = None) -> str | None:
    """The form field that an error key belongs to: ``"title"``, ``"target.sha256"``,
    ``"/metadata/creators/0"`` (a JSON pointer under the ``metadata`` field), or None."""
    if aliases and key in aliases:
        return aliases[key]
    name = key.lstrip("/").split("/", 1)[0].split(".", 1)[0]
    if aliases and name in aliases:
        return aliases[name]
    return name if name in form.fields else None


def apply_errors(form, exc: DomainError, *, aliases: Mapping[str, str] | None = None) -> None:
    """Show a service's refusal on ``form``: each message beside its field (a nested key keeps
    its path in the text), the summary as a form error when no field matched. ``NotFound`` and
    ``NotAllowed`` become the 404 and 403 pages instead."""
    raise_for_page(exc)
    placed = False
    for key, key_messages in (exc.errors or {}).items():
        target = field_for(key, form, aliases)
        seen: set[str] = set()
        for message in key_messages:
            text = message
            if target is not None and key not in (target, *(aliases or {})):
                text = f"{key}: {message}"
            if text in seen:
                continue
            seen.add(text)
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """``?next=`` / ``POST next`` when it points at this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def flash_refusal(request: HttpRequest, exc: DomainError) -> None:
    """Show an ``Invalid`` or ``Conflict`` as a flash message (404 and 403 replace the page)."""
    raise_for_page(exc)
    messages.error(request, exc.message)


def write_view(
    view: Callable[..., HttpResponse] | None = None,
    *,
    back: Callable[..., str] | None = None,
):
    """A POST-only, logged-in action. A domain error becomes the 404 or 403 page, or a flash
    message and a redirect to ``next`` (when it is on this site), else to ``back(**kwargs)``,
    else to the page the request came from."""

    def decorate(func: Callable[..., HttpResponse]):
        @wraps(func)
        @login_required
        @require_POST
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return func(request, *args, **kwargs)
            except DomainError as exc:
                flash_refusal(request, exc)
                fallback = back(**kwargs) if back is not None else _referer(request)
                return redirect(safe_next(request, fallback))

        return wrapper

    return decorate(view) if view is not None else decorate


def _referer(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"
