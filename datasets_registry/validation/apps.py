from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "datasets_registry.validation"
    label = "validation"
    verbose_name = "Caption validation"

    def ready(self) -> None:
        from datasets_registry.signals import dataset_version_created

        from . import services

        dataset_version_created.connect(
            services.on_dataset_version_created, dispatch_uid="validation.on_version_created"
        )
