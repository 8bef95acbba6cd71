"""A person's notification preferences: the e-mail frequency and per-kind switches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Invalid

from .. import kinds
from ..models import Notification, Preference


def preferences_of(user: Any) -> dict[str, Any]:
    """``{"email": ..., "kinds": {kind: {"web", "email"}}}`` with every kind, defaults filled."""
    pref = Preference.objects.filter(user=user).first()
    overrides = pref.kinds if pref else {}
    return {
        "email": pref.email if pref else Preference.Email.IMMEDIATE,
        "kinds": {
            name: dict(zip(("web", "email"), kinds.channels(name, overrides), strict=True))
            for name in kinds.KINDS
        },
    }


def _clean_kinds(value: Any) -> dict[str, dict[str, bool]]:
    if not isinstance(value, Mapping):
        raise Invalid(
            _("kinds is an object of kinds."), errors={"kinds": [_("Expected an object.")]}
        )
    errors: dict[str, list[str]] = {}
    clean: dict[str, dict[str, bool]] = {}
    for name, switches in value.items():
        if name not in kinds.KINDS:
            errors[f"kinds.{name}"] = [
                _("Unknown kind; one of %(kinds)s.") % {"kinds": ", ".join(kinds.KINDS)}
            ]
            continue
        if not isinstance(switches, Mapping):
            errors[f"kinds.{name}"] = [_('Expected {"web": true|false, "email": true|false}.')]
            continue
        for key, flag in switches.items():
            if key not in ("web", "email"):
                errors[f"kinds.{name}.{key}"] = [_("Unknown switch; use web and email.")]
            elif not isinstance(flag, bool):
                errors[f"kinds.{name}.{key}"] = [_("Must be true or false.")]
        clean[name] = {k: v for k, v in switches.items() if k in ("web", "email")}
    if errors:
        raise Invalid(_("Some notification kinds are invalid."), errors=errors)
    return clean


def preferences_update(
    *, user: Any, email: str | None = None, kinds_: Mapping[str, Any] | None = None
) -> Preference:
    """Set the e-mail frequency and/or per-kind switches (only the kinds given change; a switch
    equal to its default is stored anyway, which is harmless). Turning e-mail off drops the
    e-mails still waiting (immediate or for a digest): they are marked skipped, never sent."""
    if email is not None and email not in Preference.Email.values:
        raise Invalid(
            _("Choose immediate, daily, weekly or off."),
            errors={"email": [_("One of immediate, daily, weekly, off.")]},
        )
    clean = _clean_kinds(kinds_) if kinds_ is not None else {}
    with transaction.atomic():
        pref, _created = Preference.objects.select_for_update().get_or_create(user=user)
        if email is not None:
            pref.email = email
        merged = dict(pref.kinds or {})
        for name, switches in clean.items():
            merged[name] = {**merged.get(name, {}), **switches}
        pref.kinds = merged
        pref.updated_at = timezone.now()
        pref.save()
        waiting = Notification.objects.filter(
            recipient=user, email__in=[Notification.Email.IMMEDIATE, Notification.Email.DIGEST]
        )
        if pref.email == Preference.Email.OFF:
            waiting.update(email=Notification.Email.SKIPPED)
        else:
            off = [name for name in kinds.KINDS if not kinds.channels(name, merged)[1]]
            if off:
                waiting.filter(kind__in=off).update(email=Notification.Email.SKIPPED)
    return pref


def email_unsubscribe(*, user: Any, kind: str = "") -> Preference:
    """The unsubscribe link: all e-mail off, or only ``kind``'s e-mail. No log-in: the caller
    has checked the signed token."""
    if kind:
        if kind not in kinds.KINDS:
            raise Invalid(_("Unknown kind."), errors={"kind": [_("Unknown kind.")]})
        return preferences_update(user=user, kinds_={kind: {"email": False}})
    return preferences_update(user=user, email=Preference.Email.OFF)
