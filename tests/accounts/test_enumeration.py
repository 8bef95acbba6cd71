"""Issue 10 item 15: sign-up and password reset never tell whether an address is registered."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def sign_up(email: str, username: str):
    return Client().post(
        reverse("account_signup"),
        {
            "email": email,
            "username": username,
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )


def test_signing_up_with_a_registered_address_looks_like_any_sign_up(user):
    taken = sign_up(user.email, "someone-else")
    fresh = sign_up("fresh@example.org", "fresh-person")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    for response in (taken, fresh):
        assert "already registered" not in response.content.decode()
    # The owner of the address is told, by mail, that they already have an account.
    to_owner = [m for m in mail.outbox if user.email in m.to]
    assert len(to_owner) == 1
    assert "already" in to_owner[0].body.lower()
    assert "confirm" not in to_owner[0].subject.lower()
    # The newcomer's account exists, its address unverified: it can never take over the owner's.
    newcomer = User.objects.get(username="someone-else")
    assert not newcomer.emailaddress_set.filter(verified=True).exists()


def test_the_sign_up_form_never_says_an_address_is_taken(user):
    # Even with a form error elsewhere, the address is not singled out.
    response = Client().post(
        reverse("account_signup"),
        {"email": user.email, "username": "x2", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert "already registered" not in response.content.decode()
    assert "email" not in response.context["form"].errors


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(user):
    known = Client().post(reverse("account_reset_password"), {"email": user.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert {m.to[0] for m in mail.outbox} == {user.email, "ghost@example.org"}
