"""Every main page in Italian and Brazilian Portuguese (issue 18): rendered from the demo
community, with no UI string of the English catalogue left untranslated in what people read.

A page's UI text is its text nodes and human-facing attributes outside ``<code>``/``<pre>``/
``<script>``/``<style>``. A node that is exactly an English message of the catalogue (one whose
translation differs from the English) is untranslated. User content (proposal titles, survey
questions) is English in the demo and is not UI: it is never exactly a catalogue message, except in
people's Markdown (``class="prose"``: a standard's changelog has a "Caption rules" heading),
which is left out.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command

from config import catalogues

from ..e2e.pages import Page, main_pages

pytestmark = pytest.mark.django_db

LANGUAGES = {"it": "it", "pt-br": "pt_BR"}
ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
SKIPPED = {"code", "pre", "script", "style", "kbd", "samp", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _UIText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.texts: list[str] = []
        self.prose_depth = 0  # inside people's Markdown: elements still open

    def handle_starttag(self, tag, attrs):
        if self.prose_depth:
            self.prose_depth += tag not in VOID
            return
        if "prose" in (dict(attrs).get("class") or "").split():
            self.prose_depth = 1
            return
        if tag in SKIPPED:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if self.prose_depth:
            self.prose_depth -= 1
            return
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and not self.prose_depth:
            self.texts.append(data)


def ui_text(html: str) -> set[str]:
    parser = _UIText()
    parser.feed(html)
    return {" ".join(t.split()) for t in parser.texts if t.strip()}


def english_messages(folder: str) -> set[str]:
    """The English messages whose translation in ``folder`` reads differently."""
    with (catalogues.LOCALE_DIR / folder / "LC_MESSAGES" / "django.po").open("rb") as fh:
        catalog = read_po(fh)
    found = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        if "%(" in message.id or "<" in message.id or len(message.id) < 3:
            continue
        if message.string and message.string != message.id:
            found.add(" ".join(message.id.split()))
    return found


def more_pages() -> list[Page]:
    """Main pages the browser tests' list does not hold yet: models, red team, log, search."""
    from models_registry.models import Model

    pages = [
        Page("models", "/models/"),
        Page("public log", "/log/"),
        Page("search", "/search/?q=caption"),
    ]
    model = Model.objects.order_by("pk").first()
    if model is not None:
        pages.append(Page("model", model.get_absolute_url()))
        version = model.versions.order_by("pk").first()
        if version is not None:
            pages.append(Page("model version", version.get_absolute_url()))
    return pages


def test_every_main_page_is_translated(settings, client):
    from accounts.models import User

    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False
    pages = main_pages() + more_pages()
    problems = []
    for language, folder in LANGUAGES.items():
        english = english_messages(folder)
        for page in pages:
            client.logout()
            if page.user:
                client.force_login(User.objects.get(username=page.user))
            response = client.get(page.url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
            if response.status_code != 200:
                problems.append(f"{language} {page.name}: HTTP {response.status_code}")
                continue
            html = response.content.decode()
            if f'<html lang="{language}">' not in html:
                problems.append(f"{language} {page.name}: <html lang> is not {language}")
            left = sorted(ui_text(html) & english)
            if left:
                problems.append(f"{language} {page.name} ({page.url}): {left}")
    assert len(pages) >= 30
    assert not problems, "Untranslated UI text:\n" + "\n".join(problems)
