from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The platform frame as an app, for the tables it owns (the rate-limit counters)."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"

    def ready(self):
        from .api import refuse_numbers_as_text

        refuse_numbers_as_text()
