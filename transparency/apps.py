from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Transparency log")

    def ready(self) -> None:
        from config import events

        from . import recorder

        # Last of all, after governance's ledger (registered first, by an app listed earlier):
        # every public event lands in the log in the transaction of the change it records.
        events.in_transaction("*", last=True)(recorder.record)
