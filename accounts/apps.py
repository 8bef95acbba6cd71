from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import (
            ratelimits,
            schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
        )

        # allauth's log-in, sign-up and reset limits on the platform's one atomic limiter.
        ratelimits.install()

        # After the sites app has made its "example.com" row: rename it from the settings.
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from .sites import sync_site

        post_migrate.connect(
            sync_site, sender=apps.get_app_config("sites"), dispatch_uid="accounts.sync_site"
        )
