from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import (
            ratelimits,
            schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
        )

        # allauth's log-in, sign-up and reset limits on the platform's one atomic limiter.
        ratelimits.install()
