from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from config import events


class DatasetsRegistryConfig(AppConfig):
    name = "datasets_registry"
    verbose_name = _("Standards and datasets")

    def ready(self) -> None:
        import datasets_registry.events  # noqa: F401  (declares the events the registry publishes)

        # Governance announces its decisions and new proposals on the event bus; it never
        # imports us. Both handlers run inside governance's transaction, so a refusal rolls the
        # proposal or the decision back.
        events.in_transaction("decision.recorded")(apply_decision)
        # A proposal may only target a version that exists, with its exact content hash.
        events.in_transaction("proposal.created")(check_proposal_target)
        # Proposal pages name a target by its label and link to it (governance.targets).
        from governance import targets

        targets.register("standard_version", describe_standard_version)
        targets.register("dataset_version", describe_dataset_version)


def apply_decision(event: events.Event) -> None:
    """A ``standard_adoption`` decision adopts (or sends back to draft) its standard version; a
    ``dataset_acceptance`` decision accepts (or excludes) its dataset version."""
    from . import services

    handler = {
        "standard_adoption": services.on_standard_adoption,
        "dataset_acceptance": services.on_dataset_acceptance,
    }.get(event.payload["kind"])
    if handler is not None:
        handler(event.objects["proposal"], event.objects["decision"])


def check_proposal_target(event: events.Event) -> None:
    """Refuse (``Invalid``) a proposal whose target version does not exist or differs."""
    from . import services

    target = event.payload["target"]
    if not target:
        return
    checker = {
        "standard_version": services.check_standard_version_target,
        "dataset_version": services.check_dataset_version_target,
    }.get(target["type"])
    if checker is not None:
        checker(target["id"], target["sha256"])


def describe_standard_version(pk: int):
    from governance.targets import Target

    from .models import StandardVersion

    v = StandardVersion.objects.select_related("standard").filter(pk=pk).first()
    return Target(f"{v.standard.name} {v.version}", v.get_absolute_url()) if v else None


def describe_dataset_version(pk: int):
    from governance.targets import Target

    from .models import DatasetVersion

    v = DatasetVersion.objects.select_related("dataset").filter(pk=pk).first()
    return Target(f"{v.dataset.name} {v.version}", v.get_absolute_url()) if v else None
