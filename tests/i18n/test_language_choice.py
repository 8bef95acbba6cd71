"""Which language a page, an API answer and a saved preference use (issue 18): the browser's
``Accept-Language``, the switcher (Django's ``set_language``), a person's preference that wins
after log-in, and the API's errors in the language it is sent."""

import re

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db

HTML_LANG = re.compile(r'<html lang="([^"]+)"')


def html_lang(response) -> str:
    return HTML_LANG.search(response.content.decode()).group(1)


def translated(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("it-IT,it;q=0.9,en;q=0.5", "it"), ("pt-BR,pt;q=0.9", "pt-br"), ("de-DE", "en"), ("", "en")],
)
def test_the_browser_language_chooses_the_page_language(client, header, expected):
    response = client.get("/groups/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert html_lang(response) == expected
    assert response["Content-Language"] == expected


def test_the_page_is_in_the_chosen_language(client):
    response = client.get("/groups/", HTTP_ACCEPT_LANGUAGE="it")
    title = translated("Working groups", "it")
    assert title != "Working groups"
    assert title in response.content.decode()


def test_the_switcher_sets_the_cookie_and_goes_back(client):
    response = client.post("/i18n/setlang/", {"language": "pt-br", "next": "/surveys/"})
    assert response.status_code == 302
    assert response["Location"] == "/surveys/"
    assert response.cookies["omi_language"].value == "pt-br"
    page = client.get("/surveys/", HTTP_ACCEPT_LANGUAGE="it")
    assert html_lang(page) == "pt-br"  # the switcher's choice beats the browser's


def test_the_switcher_refuses_an_unknown_language_and_an_outside_next(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "omi_language" not in response.cookies


def test_the_switcher_needs_a_post(client):
    assert client.get("/i18n/setlang/?language=it").status_code == 405


def test_a_signed_in_persons_switch_is_saved_and_wins_after_logging_in_again(
    client_for, user, client
):
    signed_in = client_for(user)
    signed_in.post("/i18n/setlang/", {"language": "it", "next": "/"})
    user.refresh_from_db()
    assert user.language == "it"
    # A new browser (no cookie) that prefers Portuguese: after log-in the saved choice wins.
    client.force_login(user)
    assert html_lang(client.get("/groups/", HTTP_ACCEPT_LANGUAGE="pt-BR")) == "it"
    client.logout()
    assert html_lang(client.get("/groups/", HTTP_ACCEPT_LANGUAGE="pt-BR")) == "pt-br"


def test_the_account_page_saves_the_language(client_for, user):
    client = client_for(user)
    page = client.get("/account/")
    assert 'name="language"' in page.content.decode()
    response = client.post(
        "/account/",
        {
            "action": "profile",
            "display_name": "Alice",
            "affiliation": "",
            "bio": "",
            "language": "pt-br",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "pt-br"
    assert html_lang(client.get("/account/")) == "pt-br"
    # Back to "follow my browser".
    client.post(
        "/account/",
        {
            "action": "profile",
            "display_name": "Alice",
            "affiliation": "",
            "bio": "",
            "language": "",
        },
    )
    user.refresh_from_db()
    assert user.language == ""


def test_the_account_page_refuses_a_language_the_site_does_not_have(client_for, user):
    response = client_for(user).post(
        "/account/",
        {
            "action": "profile",
            "display_name": "Alice",
            "affiliation": "",
            "bio": "",
            "language": "de",
        },
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.language == ""


def test_the_service_refuses_a_language_the_site_does_not_have(user):
    from accounts import services
    from config.errors import Invalid

    with pytest.raises(Invalid) as caught:
        services.profile_update(
            user=user, actor=user, display_name="", affiliation="", bio="", language="klingon"
        )
    assert "language" in caught.value.errors
    services.profile_update(
        user=user, actor=user, display_name="", affiliation="", bio="", language="pt-BR"
    )
    user.refresh_from_db()
    assert user.language == "pt-br"


def test_api_errors_follow_accept_language_not_the_saved_preference(api_client_for, user):
    user.language = "it"
    user.save()
    client = api_client_for(user)
    english = client.post("/api/v1/tokens/", {}, format="json")
    assert english.json()["errors"] == {"name": ["This field is required."]}
    assert english["Content-Language"] == "en"
    response = client.post("/api/v1/tokens/", {}, format="json", HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 400
    message = response.json()["errors"]["name"][0]
    assert message == translated("This field is required.", "pt-br") != "This field is required."
    assert response["Content-Language"] == "pt-br"


def test_the_projects_own_api_errors_are_translated(api_client):
    response = api_client.get(
        "/api/v1/tokens/", HTTP_AUTHORIZATION="Token omi_nope", HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.status_code == 401
    expected = translated("Invalid or revoked token.", "it")
    assert expected != "Invalid or revoked token."
    assert expected in response.json()["detail"]
