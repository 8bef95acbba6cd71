from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Imported here: they import the models, which are ready only now. ``events`` declares
        # the events this app publishes; ``subscribers`` registers its listeners on the bus.
        from . import events, subscribers  # noqa: F401
