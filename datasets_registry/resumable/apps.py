from django.apps import AppConfig


class ResumableConfig(AppConfig):
    name = "datasets_registry.resumable"
    label = "resumable"
    verbose_name = "Resumable uploads"

    def ready(self) -> None:
        from . import events  # noqa: F401  (declares the events this app publishes)
