from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResumableConfig(AppConfig):
    name = "datasets_registry.resumable"
    label = "resumable"
    verbose_name = _("Resumable uploads")

    def ready(self) -> None:
        from . import events  # noqa: F401  (declares the events this app publishes)
