from django.apps import AppConfig


class RedTeamConfig(AppConfig):
    name = "models_registry.redteam"
    label = "redteam"
    verbose_name = "Red-team campaigns"

    def ready(self) -> None:
        from config import events
        from governance import ledger
        from models_registry import gate

        from . import events as declared  # noqa: F401  (declares our events)
        from . import notify, selectors, services

        # The release gate reads from here; the models registry never imports us.
        gate.gate_check("red_team_findings")(selectors.gate_reasons)
        if selectors.findings_summary not in gate._FINDINGS:
            gate.findings_provider(selectors.findings_summary)
        # A release discloses the findings it mitigates, in the release's transaction.
        events.in_transaction("model.released")(services.on_model_released)
        # Commitments and disclosures enter the public hash-chained ledger (governance.ledger):
        # once recorded there, a finding cannot be quietly removed.
        ledger.RECORDED.setdefault(
            "finding.committed",
            (
                "finding.committed",
                ("campaign", "model", "version", "number", "severity", "filed_at", "commitment"),
            ),
        )
        ledger.RECORDED.setdefault(
            "finding.disclosed",
            (
                "finding.disclosed",
                ("campaign", "number", "severity", "resolution", "commitment", "salt"),
            ),
        )
        for name in ("finding.committed", "finding.disclosed"):
            events.in_transaction(name, last=True)(services.record_in_ledger)
        notify.register()
