"""What governance makes findable (see ``config.search``): working groups, proposals and comments.

Everything governance shows is public, except a hidden comment's text: hidden comments are never
found (their text is for chairs only, on the proposal page)."""

from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.search import Kind, Result, register

from .models import Comment, Proposal, WorkingGroup


def _snippet(text: str, words: int = 30) -> str:
    return Truncator(" ".join((text or "").split())).words(words)


register(
    Kind(
        name="groups",
        label=_("Working groups"),
        visible=lambda user: WorkingGroup.objects.all(),
        fields=(("name", "A"), ("charter", "C")),
        keys=("slug",),
        order=("name", "pk"),
        position=10,
        result=lambda g: Result(
            "groups", g.name, g.get_absolute_url(), _snippet(g.charter), g.get_status_display()
        ),
    )
)

register(
    Kind(
        name="proposals",
        label=_("Proposals"),
        visible=lambda user: Proposal.objects.select_related("group"),
        fields=(("title", "A"), ("summary", "B"), ("body", "C")),
        document="search_document",  # migration 0006
        order=("-updated_at", "-pk"),
        position=20,
        result=lambda p: Result(
            "proposals",
            f"{p.group.name} #{p.number}: {p.title}",
            p.get_absolute_url(),
            _snippet(p.summary or p.body),
            p.get_status_display(),
        ),
    )
)

register(
    Kind(
        name="comments",
        label=_("Comments"),
        visible=lambda user: Comment.objects.filter(hidden_at__isnull=True).select_related(
            "author", "proposal__group"
        ),
        fields=(("body", "B"),),
        document="search_document",  # migration 0006
        order=("-created_at", "-pk"),
        position=30,
        result=lambda c: Result(
            "comments",
            gettext("%(author)s on %(group)s #%(number)s: %(title)s")
            % {
                "author": c.author.public_name,
                "group": c.proposal.group.name,
                "number": c.proposal.number,
                "title": c.proposal.title,
            },
            f"{c.proposal.get_absolute_url()}#comment-{c.pk}",
            _snippet(c.body),
            date_format(c.created_at, "j M Y"),
        ),
    )
)
