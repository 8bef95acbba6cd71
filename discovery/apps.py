from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    """Finding things and people: site search (the engine and registry are ``config.search``),
    people's public profiles with their activity, and the signed-in person's "My work".

    It reads every app (it sits above them) and no app imports it, so governance still depends on
    nothing of ours."""

    name = "discovery"
    verbose_name = _("Search and profiles")
