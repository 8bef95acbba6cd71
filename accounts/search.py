"""People are findable (see ``config.search``) by their public profile: username, display name,
affiliation and bio. Never by e-mail address; inactive accounts are not found."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from config.search import Kind, Result, register

from .models import User

register(
    Kind(
        name="people",
        label=_("People"),
        visible=lambda user: User.objects.filter(is_active=True),
        fields=(("display_name", "A"), ("affiliation", "B"), ("bio", "C")),
        keys=("username",),
        order=("username",),
        position=70,
        result=lambda u: Result(
            "people",
            u.public_name,
            reverse("discovery:profile", args=[u.username]),
            Truncator(" ".join(u.bio.split())).words(30),
            f"@{u.username}" + (f" · {u.affiliation}" if u.affiliation else ""),
        ),
    )
)
