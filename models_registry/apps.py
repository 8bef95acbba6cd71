from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from config import events


class ModelsRegistryConfig(AppConfig):
    name = "models_registry"
    verbose_name = _("Models and releases")

    def ready(self) -> None:
        import models_registry.events  # noqa: F401  (declares the events this app publishes)
        from models_registry import hooks

        # As the datasets registry does for standard_adoption: governance never imports us; its
        # in-transaction events let us refuse a proposal, a vote, or apply a decision.
        events.in_transaction("proposal.created")(hooks.check_proposal_target)
        events.in_transaction("vote.opened")(hooks.check_gate_on_vote)
        events.in_transaction("decision.recorded")(hooks.apply_decision)
        # A group may require two thirds of all for its releases (ReleasePolicy).
        from governance import rules

        rules.RULE_CHOICE_BY_KIND["model_release"] = (
            frozenset({"majority_of_all", "two_thirds_of_all"}),
            hooks.release_rule,
        )
