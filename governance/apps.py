from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from config import events


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        # Imported here: they import the models, which are ready only now.
        from . import events as declared  # noqa: F401  (declares governance's events)
        from . import ledger, services

        # Both ``last``, so they run after every other app's in-transaction handlers, and in this
        # order: the membership change an accepted decision makes (its own event is recorded at
        # once), then the ledger, whose lock is therefore the last one a transaction takes.
        events.in_transaction("decision.recorded", last=True)(services.apply_membership_decision)
        for name in ledger.RECORDED:
            events.in_transaction(name, last=True)(ledger.record)
