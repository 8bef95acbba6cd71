from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedTeamConfig(AppConfig):
    name = "models_registry.redteam"
    label = "redteam"
    verbose_name = _("Red-team campaigns")

    def ready(self) -> None:
        from config import events
        from models_registry import gate

        from . import events as declared  # noqa: F401  (declares our events)
        from . import notify, selectors, services

        # The release gate reads from here; the models registry never imports us.
        gate.gate_check("red_team_findings")(selectors.gate_reasons)
        gate.page_preparer(selectors.prepare_gate_page)
        if selectors.findings_summary not in gate._FINDINGS:
            gate.findings_provider(selectors.findings_summary)
        # A release discloses the findings it mitigates, in the release's transaction.
        events.in_transaction("model.released")(services.on_model_released)
        # Commitments and disclosures enter the public log like every public event: the log's
        # one subscriber records them (transparency); a private model's findings are not public.
        notify.register()
