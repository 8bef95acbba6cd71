"""axe-core on every main page (issue 16, defect 21): any violation fails the test, with the
page, the rule and the elements. axe-core is vendored test data (tests/e2e/vendor/axe-core, MPL
2.0), injected through the DevTools protocol (not a <script> the CSP would refuse) and never
served by the site."""

import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from datasets_registry import demo as registry_demo

from .pages import main_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"


def axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "tests/e2e/vendor/axe-core changed"
    return data.decode("utf-8")


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    if username is None:
        return
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def violations_on(page, source: str) -> list[dict]:
    page.evaluate(source)  # Runtime.evaluate: not subject to the page's CSP
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )
    return result


def test_axe_finds_nothing_on_the_main_pages(browser_page, live_server, settings, monkeypatch):
    settings.DEBUG = True  # seed_demo refuses otherwise
    # The 25,014-row COCO version makes the seed slow; the other datasets have versions.
    monkeypatch.setattr(registry_demo, "COCO_PATH", Path("/nonexistent/coco.jsonl.gz"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    source = axe_source()
    page = browser_page
    found = {}
    checked = 0
    for p in main_pages():
        sign_in(page, live_server, p.user)
        response = page.goto(p.url)
        assert response.status < 400, (p.name, p.url, response.status)
        problems = violations_on(page, source)
        if problems:
            found[f"{p.name} ({p.url}{' as ' + p.user if p.user else ''})"] = problems
        checked += 1
    assert checked >= 25
    assert not found, "axe-core violations:\n" + json.dumps(found, indent=1)
