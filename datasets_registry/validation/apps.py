from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "datasets_registry.validation"
    label = "validation"
    verbose_name = "Caption validation"

    def ready(self) -> None:
        from datasets_registry import annotations

        # Declares our events and registers our listeners on the registry's events.
        from . import events, handlers, selectors  # noqa: F401

        # What the registry's pages show about each version, without importing us.
        annotations.register(
            annotations.VersionAnnotator(
                name="validation",
                heading="Caption validation",
                column="Validation",
                badges=selectors.version_badges,
                panel=selectors.version_panel,
                empty="No validation run yet for this version.",
            )
        )
