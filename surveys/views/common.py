"""What every survey page starts with."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .. import selectors
from ..models import Survey


def survey_for(request, slug: str, *related: str) -> Survey:
    """The survey ``slug`` if the requester may see it (else 404), with ``related`` joined."""
    return get_object_or_404(
        Survey.objects.visible_to(request.user).select_related("group", *related), slug=slug
    )


def require_owner(request, survey: Survey) -> None:
    if not selectors.is_owner(request.user, survey):
        raise PermissionDenied(
            _("Only staff and the chairs of the owning group manage this survey.")
        )
