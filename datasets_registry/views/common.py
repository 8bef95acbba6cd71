"""Helpers shared by the registry's pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from config.errors import DomainError, NotAllowed, NotFound

PAGE_SIZE = 25


def _apply_errors(form, exc: DomainError) -> None:
    """Show a service's errors on the form: by field, JSON pointers under their field."""
    placed = False
    for key, messages_ in (exc.errors or {}).items():
        name = key.lstrip("/").split("/", 1)[0].split(".", 1)[0]
        target = name if name in form.fields else None
        for message in messages_:
            text = message
            if key.startswith("/") or (target and key != target):
                text = f"{key}: {message}"
            form.add_error(target, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _raise_for_page(exc: DomainError):
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message)
