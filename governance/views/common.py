"""What the page modules share: loading a group or a proposal for a page, and where a refused
action returns."""

from django.shortcuts import get_object_or_404

from .. import selectors
from ..models import Proposal, WorkingGroup


def group_or_404(slug: str) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.select_related("settings", "parent"), slug=slug)


def proposal_or_404(slug: str, number: int) -> Proposal:
    return get_object_or_404(selectors.proposal_detail_queryset(), group__slug=slug, number=number)


def back(**kwargs) -> str:
    """Where a refused action returns when the form gave no ``next``: its proposal or group."""
    if "number" in kwargs:
        return f"/groups/{kwargs['slug']}/proposals/{kwargs['number']}/"
    if "slug" in kwargs:
        return f"/groups/{kwargs['slug']}/"
    return "/groups/"
