"""Confirmation before an irreversible action: one page, the same for every app, that works
without JavaScript.

An action view decorated with ``confirm_first(describe)`` acts only on a POST that carries
``confirm=yes``. Anything else — a GET (a link, a crawler, a prefetch), or the POST of a page's
button, which has no ``confirm`` field — answers the confirmation page, which says what will be
lost and posts back to the same URL with ``confirm=yes``. So a GET never acts, and one click
never costs anything irreversible::

    @confirm_first(leave_confirmation, back=back)
    @write_view(back=back)
    def group_leave(request, slug): ...

``describe(request, **kwargs)`` returns a ``Confirmation`` (or None when this particular request
needs none, e.g. a transition that can be undone), after the same visibility checks as the view:
a ``DomainError`` it raises becomes the 404 or 403 page, or a flash message and a redirect back,
exactly as in ``write_view``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from .errors import DomainError
from .pages import _referer, flash_refusal, safe_next

CONFIRM_FIELD = "confirm"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: a question, what is lost, the button's words."""

    title: str
    button: str
    cancel_url: str
    consequences: Sequence[str] = ()
    intro: str = ""
    # Fields the action needs besides ``confirm`` (e.g. ``to=withdrawn``).
    fields: Mapping[str, str] = field(default_factory=dict)


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    return render(
        request,
        "confirm.html",
        {
            "confirmation": confirmation,
            "action_url": request.path,
            "next": safe_next(request, ""),
        },
    )


def confirm_first(
    describe: Callable[..., Confirmation | None],
    *,
    back: Callable[..., str] | None = None,
):
    """Ask before ``view`` acts (see the module docstring). Logged-in only, like ``write_view``."""

    def decorate(view: Callable[..., HttpResponse]):
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD", "POST"):
                return HttpResponseNotAllowed(["GET", "POST"])
            if is_confirmed(request):
                return view(request, *args, **kwargs)
            try:
                confirmation = describe(request, **kwargs)
            except DomainError as exc:
                flash_refusal(request, exc)
                fallback = back(**kwargs) if back is not None else _referer(request)
                return redirect(safe_next(request, fallback))
            if confirmation is None and request.method == "POST":
                return view(request, *args, **kwargs)
            if confirmation is None:
                return HttpResponseNotAllowed(["POST"])
            return confirmation_page(request, confirmation)

        return wrapper

    return decorate
