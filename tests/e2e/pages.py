"""The main pages of the site, for the browser tests that check every one of them: axe-core
(``test_axe.py``, issue 16 defect 21) and the 390 px width test. One list, here, so every such
test checks the same pages.

Built from the demo community (``seed_demo``): call ``main_pages()`` after seeding. Each page is
``Page(name, url, user)``: ``user`` is the demo username to view it as, or ``None`` (signed out).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user: str | None = None


def main_pages() -> list[Page]:
    from datasets_registry.models import Dataset, StandardVersion
    from governance.models import Proposal
    from surveys import demo as surveys_demo

    decided = Proposal.objects.filter(decision__isnull=False).order_by("pk").first()
    voting = Proposal.objects.filter(status=Proposal.Status.VOTING).order_by("pk").first()
    dataset = Dataset.objects.filter(visibility="public", versions__isnull=False).order_by("pk")
    dataset = dataset.first()
    version = dataset.versions.order_by("pk").first() if dataset else None
    standard_version = StandardVersion.objects.select_related("standard").order_by("pk").first()
    survey_open, survey_closed = surveys_demo.OPEN_SLUG, surveys_demo.CLOSED_SLUG
    pages = [
        Page("home", "/"),
        Page("working groups", "/groups/"),
        Page("group", "/groups/datasets-captioning/"),
        Page("group as a chair", "/groups/datasets-captioning/", "demo-chair"),
        Page("group activity", "/groups/datasets-captioning/activity/"),
        Page("proposal in voting", voting.get_absolute_url(), "demo-committer1"),
        Page("decided proposal", decided.get_absolute_url()),
        Page("decision", decided.get_absolute_url() + "decision/"),
        Page("new proposal", "/groups/datasets-captioning/proposals/new/", "demo-contributor"),
        Page("my work", "/me/", "demo-chair"),
        Page("surveys", "/surveys/"),
        Page("open survey", f"/surveys/{survey_open}/"),
        Page("answering a survey", f"/surveys/{survey_open}/answer/", "demo-contributor"),
        Page("survey results", f"/surveys/{survey_closed}/results/"),
        Page("survey editor", f"/surveys/{survey_open}/edit/", "demo-chair"),
        Page("datasets", "/datasets/"),
        Page("dataset", dataset.get_absolute_url()),
        Page("dataset version", version.get_absolute_url()),
        Page("new dataset", "/datasets/new/", "demo-contributor"),
        Page("standards", "/standards/"),
        Page("standard", standard_version.standard.get_absolute_url()),
        Page("standard version", standard_version.get_absolute_url()),
        Page("log in", "/accounts/login/"),
        Page("sign up", "/accounts/signup/"),
        Page("account", "/account/", "demo-contributor"),
        Page("profile", "/account/people/demo-chair/"),
        Page("notifications", "/notifications/", "demo-chair"),
    ]
    return pages
