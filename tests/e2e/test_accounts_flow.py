import re

import pytest

from accounts.models import ApiToken, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_in_create_a_token_and_log_out(browser_page):
    page = browser_page
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Username").fill("newcomer")
    page.locator("#id_password1").fill("a-long-enough-passphrase")
    page.locator("#id_password2").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert User.objects.filter(username="newcomer").exists()

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("newcomer")
    page.locator("#id_password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto("/account/")
    page.get_by_label("Token name").fill("e2e script")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token").inner_text()
    assert key.startswith("omi_")
    assert ApiToken.objects.get(user__username="newcomer").name == "e2e script"
    assert page.get_by_role("cell", name="e2e script", exact=True).is_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/account/")
    assert "/accounts/login/" in page.url
