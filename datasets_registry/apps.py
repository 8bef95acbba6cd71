from django.apps import AppConfig


class DatasetsRegistryConfig(AppConfig):
    name = "datasets_registry"
    verbose_name = "Standards and datasets"

    def ready(self) -> None:
        import datasets_registry.events  # noqa: F401  (declares the events the registry publishes)

        # Governance applies a decision's consequences through handlers other apps register;
        # it never imports us.
        from governance.hooks import on_decision, target_checker

        from . import services

        on_decision("standard_adoption")(services.on_standard_adoption)
        on_decision("dataset_acceptance")(services.on_dataset_acceptance)
        # A proposal may only target a version that exists, with its exact content hash.
        target_checker("standard_version")(services.check_standard_version_target)
        target_checker("dataset_version")(services.check_dataset_version_target)
