"""Surveys are findable (see ``config.search``) as far as the person may see them listed:
open and closed ones, plus drafts they own or whose group they chair (``visible_to``)."""

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from config.search import Kind, Result, register

from .models import Survey

register(
    Kind(
        name="surveys",
        label=_("Surveys"),
        visible=lambda user: Survey.objects.visible_to(user).select_related("group"),
        fields=(("title", "A"), ("introduction", "C")),
        keys=("slug",),
        order=("-created_at", "-pk"),
        position=40,
        result=lambda s: Result(
            "surveys",
            s.title,
            s.get_absolute_url(),
            Truncator(" ".join(s.introduction.split())).words(30),
            s.get_status_display() + (f" · {s.group.name}" if s.group_id else ""),
        ),
    )
)
