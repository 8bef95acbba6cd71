"""Log in and sign up look like the rest of the site and say what the navigation says (issue 16,
defect 14): "Log in", not "Sign In" or "Login:"; each error sits under its own field."""

import re

import pytest

pytestmark = pytest.mark.django_db


def field_blocks(html: str) -> dict[str, str]:
    """Each field's block, by the id its label points to."""
    pattern = r'<div class="field[^"]*">\s*<label for="id_(\w+)">.*?</div>'
    return {m.group(1): m.group(0) for m in re.finditer(pattern, html, re.S)}


def test_the_log_in_page_says_log_in_and_puts_errors_under_their_field(client):
    html = client.post("/accounts/login/", {"login": "someone", "password": ""}).content.decode()
    main = html.split("<main", 1)[1]
    assert "Sign In" not in main and "Login:" not in main
    assert "<h1>Log in</h1>" in main
    assert re.search(r"<button[^>]*>\s*Log in\s*</button>", main)
    blocks = field_blocks(main)
    assert "Username or email" in blocks["login"]
    assert "This field is required." in blocks["password"]
    assert "This field is required." not in blocks["remember"]
    assert "<title>Log in" in html


def test_the_sign_up_page_in_the_sites_words(client):
    html = client.post("/accounts/signup/", {"email": "bad", "username": ""}).content.decode()
    main = html.split("<main", 1)[1]
    assert "<h1>Sign up</h1>" in main
    assert "Signup" not in html and "Sign Up" not in main
    blocks = field_blocks(main)
    assert "valid email" in blocks["email"].lower() or "email" in blocks["email"].lower()
    assert "field-error" in blocks["username"]
    assert "Sign up" in html.split("<title>", 1)[1].split("</title>", 1)[0]
