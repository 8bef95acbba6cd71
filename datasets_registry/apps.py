from django.apps import AppConfig


class DatasetsRegistryConfig(AppConfig):
    name = "datasets_registry"
    verbose_name = "Standards and datasets"

    def ready(self) -> None:
        # Governance applies a decision's consequences through handlers other apps register;
        # it never imports us.
        try:
            from governance.hooks import on_decision
        except ImportError:  # governance without hooks: nothing is decided automatically
            return
        from . import services

        on_decision("standard_adoption")(services.on_standard_adoption)
        on_decision("dataset_acceptance")(services.on_dataset_acceptance)
        # services.check_standard_version_target / check_dataset_version_target are ready for
        # governance's target_checker hook; they are registered once governance's own tests
        # isolate the checker registry (they create proposals with made-up targets).
