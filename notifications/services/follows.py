"""Following a group, a proposal, a dataset, a survey or a standard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from config.errors import Invalid, NotFound
from governance import roles

from .. import visibility
from ..models import Follow, SubjectType


def _require_visible(user: Any, subject_type: str, ref: str) -> None:
    roles.require_user(user)
    if subject_type not in SubjectType.values:
        raise Invalid(
            _("Follow a group, proposal, dataset, survey or standard."),
            errors={"type": [_("One of %(values)s.") % {"values": ", ".join(SubjectType.values)}]},
        )
    if not visibility.may_see(user, subject_type, ref):
        raise NotFound(
            _("No such %(thing)s.") % {"thing": str(SubjectType(subject_type).label).lower()}
        )


def follow_add(*, user: Any, subject_type: str, ref: str) -> tuple[Follow, bool]:
    """``user`` follows the subject (idempotent): ``(follow, created)``. A subject that does not
    exist, or that ``user`` may not see, is not found."""
    _require_visible(user, subject_type, ref)
    return Follow.objects.get_or_create(user=user, subject_type=subject_type, subject_ref=ref)


def follow_remove(*, user: Any, subject_type: str, ref: str) -> bool:
    """``user`` stops following the subject; returns whether they were following it. An
    automatic follow (an author's, a maintainer's) is removed the same way."""
    roles.require_user(user)
    deleted, _ = Follow.objects.filter(
        user=user, subject_type=subject_type, subject_ref=ref
    ).delete()
    return bool(deleted)
