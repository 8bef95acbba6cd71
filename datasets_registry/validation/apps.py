from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "datasets_registry.validation"
    label = "validation"
    verbose_name = "Caption validation"
