"""Issue 10 item 14: a Content Security Policy on every page; Markdown images only from the site."""

import pytest

from config import markdown

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/groups/", "/api/v1/", "/no/such/page/", "/api/docs/"])
def test_every_response_carries_the_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy and "unsafe-inline" not in directives["script-src"]


def test_the_policy_can_be_replaced_whole(client, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'none'"
    assert client.get("/")["Content-Security-Policy"] == "default-src 'none'"


def test_pages_have_no_inline_scripts_or_handlers(client):
    import re

    for url in ["/", "/groups/", "/datasets/", "/standards/", "/surveys/", "/accounts/login/",
                "/accounts/signup/", "/api/docs/"]:  # fmt: skip
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=\"", page), url
        assert "javascript:" not in page, url


def test_markdown_images_from_other_hosts_become_links():
    html = markdown.render("Look ![a pixel](https://tracker.example/p.gif) here")
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.gif" rel="nofollow noopener">' in html
    assert "a pixel (image on tracker.example)" in html


def test_markdown_keeps_the_sites_own_images(settings):
    settings.SITE_URL = "https://commons.example.org"
    html = markdown.render(
        "![logo](/static/img/logo.svg) ![x](https://commons.example.org/media/x.png)"
    )
    assert '<img alt="logo" src="/static/img/logo.svg">' in html
    assert 'src="https://commons.example.org/media/x.png"' in html


def test_raw_html_images_from_other_hosts_lose_their_source():
    html = markdown.render('<img src="//tracker.example/p.gif" alt="raw">')
    assert "tracker.example" not in html
