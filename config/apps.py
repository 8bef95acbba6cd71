from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    """The platform frame as an app, for the tables it owns (the rate-limit counters)."""

    name = "config"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self):
        from .api import refuse_numbers_as_text

        refuse_numbers_as_text()
