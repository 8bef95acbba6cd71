"""In a real browser: a member searches from the header box, opens the proposal found, replies to
a comment, edits their reply (the history shows the first text), reacts (htmx swaps the
reactions in place), visits a profile and My work; the same pages in dark mode."""

from pathlib import Path

import pytest
from django.conf import settings

from governance import services as gov
from governance.models import Comment, CommentReaction
from tests.governance.test_e2e import login


@pytest.mark.e2e
def test_search_discuss_and_profile_in_the_browser(world, live_server, browser_page):
    page = browser_page
    login(page, live_server, world.author)
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search")
    box.fill("zebrafish")
    box.press("Enter")
    page.get_by_role("heading", name="Proposals").wait_for()
    assert page.get_by_role("heading", name="Datasets").is_visible()
    assert "Zebrafish private" in page.content()  # zoe owns it
    page.get_by_role(
        "link", name="Zebrafish imaging #1: Caption the zebrafish set", exact=True
    ).click()

    top = world.comment
    card = page.locator(f"#comment-{top.pk}")
    card.get_by_text("Reply", exact=True).click()
    card.get_by_label("Your reply to Chair Person").fill("Captions in full sentences, please.")
    card.get_by_role("button", name="Post the reply").click()
    page.get_by_text("Reply posted.").wait_for()
    reply = Comment.objects.get(parent=top)
    mine = page.locator(f"#comment-{reply.pk}")
    assert mine.is_visible()

    mine.get_by_text("Edit", exact=True).click()
    mine.get_by_label("Your comment").fill("Captions in full sentences, always.")
    mine.get_by_role("button", name="Save the edit").click()
    page.get_by_text("Comment edited").wait_for()
    mine = page.locator(f"#comment-{reply.pk}")
    mine.get_by_text("History: 1 earlier version").click()
    assert "Captions in full sentences, please." in mine.inner_text()
    assert "always." in mine.inner_text()

    reactions = page.locator(f"#reactions-{top.pk}")
    reactions.get_by_role("button", name="heart 0", exact=True).click()
    page.locator(f"#reactions-{top.pk} button[aria-pressed=true]").wait_for()
    assert CommentReaction.objects.filter(comment=top, user=world.author).count() == 1

    page.get_by_role("link", name="Profile").click()
    page.get_by_role("heading", name="Zoe Zed").wait_for()
    assert "Caption the zebrafish set" in page.content()
    page.get_by_role("link", name="My work").click()
    page.get_by_role("heading", name="My datasets").wait_for()
    assert "Zebrafish private" in page.content()


@pytest.mark.e2e
def test_dark_mode_follows_the_browser(world, live_server, browser_page):
    page = browser_page
    background = "getComputedStyle(document.body).backgroundColor"
    page.goto("/search/?q=zebrafish")
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(background) == "rgb(18, 21, 25)"
    card = page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
    assert card == "rgb(24, 27, 32)"
    assert "Zebrafish private" not in page.content()  # anonymous


@pytest.mark.e2e
def test_search_profile_and_my_work_fit_a_phone(world, live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, world.author)
    for path in (
        "/search/?q=zebrafish",
        "/search/?q=zebrafish&kind=comments",
        "/people/zoe/",
        "/me/",
    ):
        page.goto(path)
        width = page.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"


AXE = Path(settings.BASE_DIR) / "tests" / "e2e" / "vendor" / "axe-core" / "axe.min.js"


@pytest.mark.e2e
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is vendored by the accessibility branch.")
def test_axe_finds_nothing_on_these_pages_in_either_scheme(world, live_server, browser_page):
    page = browser_page
    reply = gov.comment_add(
        proposal=world.proposal, author=world.author, body="Reply", parent=world.comment
    )
    gov.comment_edit(comment=reply, actor=world.author, body="Reply, edited")
    gov.reaction_add(comment=world.comment, actor=world.author, emoji="heart")
    login(page, live_server, world.author)
    source = AXE.read_text()
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in (
            "/search/?q=zebrafish",
            "/search/?q=zebrafish&kind=datasets",
            "/people/zoe/",
            "/me/",
            world.proposal.get_absolute_url(),
        ):
            page.goto(path)
            page.evaluate(source)  # evaluated by the driver: no script element, no CSP report
            violations = page.evaluate(
                "async () => (await axe.run()).violations.map(v => v.id + ': ' + "
                "v.nodes.map(n => n.html.slice(0, 120)).join(' | '))"
            )
            if violations:
                found[f"{scheme} {path}"] = violations
    assert not found, found
