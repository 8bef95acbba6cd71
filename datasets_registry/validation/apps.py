from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "datasets_registry.validation"
    label = "validation"
    verbose_name = "Caption validation"

    def ready(self) -> None:
        # Declares our events and registers our listeners on the registry's events.
        from . import events, handlers  # noqa: F401
