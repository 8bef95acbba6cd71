"""allauth's limits count on the platform's limiter (config.ratelimit), by config.clients."""

import pytest
from allauth.core.internal import ratelimit as allauth_impl
from django.test import Client
from django.urls import reverse

from accounts import ratelimits
from config.models import RateCounter
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DB_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "omi_cache"}


def test_the_shim_is_installed():
    # If a new allauth moves these, this fails rather than silently counting twice.
    assert allauth_impl._consume_single_rate is ratelimits.consume_single_rate
    assert allauth_impl.clear is ratelimits.clear


def test_failed_log_ins_are_counted_by_the_platform_limiter(settings, user):
    settings.CACHES = {"default": DB_CACHE}
    Client().post(reverse("account_login"), {"login": user.username, "password": "wrong"})
    keys = set(RateCounter.objects.values_list("key", flat=True))
    assert any(":login_failed:" in k and ":ip:127.0.0.1" in k for k in keys), keys


def test_a_successful_log_in_gives_back_its_own_attempt(settings, user):
    settings.CACHES = {"default": DB_CACHE}
    client = Client()
    for _ in range(4):
        client.post(reverse("account_login"), {"login": user.username, "password": "wrong"})
    ok = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert ok.status_code == 302
    # allauth rolls back the attempt that succeeded: the per-account count stays at 4 failures.
    per_account = RateCounter.objects.get(key__contains=":login_failed:5/300")
    assert per_account.count == 4


def test_the_sign_up_limit_is_exact(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}
    statuses = [
        Client()
        .post(
            reverse("account_signup"),
            {
                "email": f"n{i}@example.org",
                "username": f"n{i}",
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
            },
        )
        .status_code
        for i in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
