import pytest
from django.urls import reverse

from accounts.models import ApiToken, hash_token
from accounts.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_it_creates_a_token_whose_secret_is_shown_once(api_client_for, user):
    response = api_client_for(user).post("/api/v1/tokens/", {"name": "laptop"}, format="json")
    assert response.status_code == 201
    key = response.json()["key"]
    assert key.startswith("omi_")
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_token(key)
    assert key not in str(ApiToken.objects.values_list())
    listed = api_client_for(user).get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["laptop"]
    assert "key" not in listed[0]


def test_it_authenticates_with_a_token_and_stops_at_once_when_revoked(api_client, user):
    token, key = api_token_create(user=user, name="ci")
    assert api_client.get("/api/v1/tokens/", **auth(key)).status_code == 200
    assert api_client.delete(f"/api/v1/tokens/{token.pk}/", **auth(key)).status_code == 204
    response = api_client.get("/api/v1/tokens/", **auth(key))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token.", "errors": {}}


def test_it_refuses_a_made_up_token(api_client):
    response = api_client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Token omi_nonsense")
    assert response.status_code == 401


def test_it_refuses_a_malformed_authorization_header(api_client):
    response = api_client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Token a b")
    assert response.status_code == 401
    assert "Authorization: Token" in response.json()["detail"]


def test_a_user_cannot_see_or_revoke_another_users_tokens(api_client_for, user, other_user):
    token, _key = api_token_create(user=other_user, name="bob's")
    client = api_client_for(user)
    assert client.get("/api/v1/tokens/").json()["results"] == []
    response = client.delete(f"/api/v1/tokens/{token.pk}/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_a_user_cannot_revoke_another_users_token_on_the_website(client_for, user, other_user):
    token, _ = api_token_create(user=other_user, name="bob's")
    for data in ({}, {"confirm": "yes"}):
        response = client_for(user).post(reverse("accounts:token_revoke", args=[token.pk]), data)
        assert response.status_code == 302
        assert "bob" not in response.content.decode()
    token.refresh_from_db()
    assert token.is_active


def test_anonymous_cannot_use_token_endpoints(api_client):
    assert api_client.get("/api/v1/tokens/").status_code == 401
    assert api_client.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 401


def test_a_token_needs_a_name(api_client_for, user):
    response = api_client_for(user).post("/api/v1/tokens/", {"name": "  "}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "name" in body["errors"]
    assert body["detail"]


def test_a_deactivated_users_token_stops_working(api_client, user):
    _, key = api_token_create(user=user, name="ci")
    user.is_active = False
    user.save()
    assert api_client.get("/api/v1/tokens/", **auth(key)).status_code == 401


def test_the_account_page_creates_lists_and_revokes_tokens(client_for, user):
    client = client_for(user)
    response = client.post(reverse("accounts:account"), {"action": "create_token", "name": "web"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    key = response.context["new_key"]
    assert hash_token(key) == token.key_hash
    assert key in response.content.decode()
    # The secret is not shown again.
    assert key not in client.get(reverse("accounts:account")).content.decode()
    page = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert page.status_code == 200 and "Revoke the token “web”?" in page.content.decode()
    token.refresh_from_db()
    assert token.is_active  # the button asks first (issue 16, defect 2)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 200
    token.refresh_from_db()
    assert token.is_active  # a GET never acts
    client.post(reverse("accounts:token_revoke", args=[token.pk]), {"confirm": "yes"})
    token.refresh_from_db()
    assert not token.is_active


def test_the_account_page_reports_a_blank_token_name(client_for, user):
    response = client_for(user).post(
        reverse("accounts:account"), {"action": "create_token", "name": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_create_api_token_command_prints_a_working_key(api_client, user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_token", user.username, "--name", "script", stdout=out)
    key = out.getvalue().strip()
    assert api_client.get("/api/v1/tokens/", **auth(key)).status_code == 200
    assert ApiToken.objects.get(user=user).name == "script"


def test_create_api_token_command_names_an_unknown_user():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_token", "ghost")


def test_token_listing_has_a_fixed_query_count(api_client_for, django_assert_num_queries):
    owner = UserFactory(username="many")
    for i in range(20):
        api_token_create(user=owner, name=f"t{i}")
    client = api_client_for(owner)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/tokens/")
    assert len(response.json()["results"]) == 20
