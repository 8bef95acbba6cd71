import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in_from_account_pages():
    client = Client()
    for url in [reverse("accounts:account")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("accounts:token_revoke", args=[1]))
    assert response.status_code == 302


def test_profile_is_saved_and_shown_publicly(client_for, user):
    client = client_for(user)
    response = client.post(
        reverse("accounts:account"),
        {"action": "profile", "display_name": "Alice A.", "affiliation": "Lab", "bio": "Hi"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.affiliation, user.bio) == ("Alice A.", "Lab", "Hi")
    page = Client().get(reverse("accounts:profile", args=[user.username]), follow=True)
    assert "Alice A." in page.content.decode()


def test_profile_rejects_an_overlong_display_name(client_for, user):
    response = client_for(user).post(
        reverse("accounts:account"),
        {"action": "profile", "display_name": "x" * 500, "affiliation": "", "bio": ""},
    )
    assert response.status_code == 400
    assert "Ensure this value has at most 120 characters" in response.content.decode()


def test_csrf_is_enforced_on_the_website(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("accounts:account"), {"action": "create_token", "name": "x"})
    assert response.status_code == 403
    assert not user.api_tokens.exists()


def test_sign_up_and_log_in_with_allauth():
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "username": "newcomer",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="newcomer").exists()
    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"), {"login": "newcomer", "password": "a-long-enough-passphrase"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200


def test_sign_up_reports_mismatched_passwords():
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "username": "x",
            "password1": "a-long-enough-passphrase",
            "password2": "something-else-entirely",
        },
    )
    assert response.status_code == 200
    assert "You must type the same password each time" in response.content.decode()


def test_failed_logins_are_throttled(user):
    client = Client()
    responses = [
        client.post(reverse("account_login"), {"login": user.username, "password": "wrong"})
        for _ in range(6)
    ]
    assert "Too many failed login attempts" in responses[-1].content.decode()
    # Even the right password is refused while the limit holds.
    right = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert "Too many failed login attempts" in right.content.decode()


def test_error_pages_are_ours(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.content.decode()


def test_api_404_is_json_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is nothing at this address.", "errors": {}}
