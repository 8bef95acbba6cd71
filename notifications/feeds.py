"""Atom 1.0 feeds (RFC 4287) of public things, with Django's syndication framework: a group's
decisions and proposals, the public log (governance's ledger), new datasets and versions, and
surveys. Linked with ``<link rel="alternate">`` from the pages they mirror (``feed_links``).

Entry ids are ``tag:`` URIs (RFC 4151), stable whatever the site's URL becomes later.
"""

from __future__ import annotations

from itertools import chain
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from datasets_registry.models import Dataset, DatasetVersion
from governance.models import Decision, LedgerEntry, Proposal, WorkingGroup
from surveys.models import Survey

LIMIT = 50


def tag(specific: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},2025:{specific}"


class _Atom(Feed):
    """A feed is one document for every reader (and for caches): the site's default language."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(request, *args, **kwargs)

    # RFC 4287 requires <updated> on every entry; Django writes it only from item_updateddate,
    # so every entry has one (its publication time unless the feed knows a later change).
    def item_updateddate(self, item):
        return self.item_pubdate(item)

    def author_name(self):
        return settings.SITE_NAME

    def item_author_name(self, item):
        return settings.SITE_NAME


class DecisionsFeed(_Atom):
    def get_object(self, request, slug):
        return get_object_or_404(WorkingGroup, slug=slug)

    def title(self, group):
        return _("Decisions of %(group)s") % {"group": group.name}

    def link(self, group):
        return group.get_absolute_url()

    def feed_guid(self, group):
        return tag(f"groups/{group.slug}/decisions")

    def subtitle(self, group):
        return _("Every vote decided in %(group)s, newest first.") % {"group": group.name}

    def items(self, group):
        return Decision.objects.with_proposal().filter(proposal__group=group)[:LIMIT]

    def item_title(self, d):
        return f"#{d.proposal.number} {d.proposal.title}: {d.get_outcome_display().lower()}"

    def item_description(self, d):
        values = {c: d.tally.get(c, 0) for c in ("yes", "no", "abstain")}
        tally = _("%(yes)s yes, %(no)s no, %(abstain)s abstain") % values
        text = _("%(tally)s of %(roll_size)s on the roll.") % {
            "tally": tally,
            "roll_size": d.roll_size,
        }
        return f"{text} {d.explanation}"

    def item_link(self, d):
        return d.get_absolute_url()

    def item_guid(self, d):
        return tag(f"groups/{d.proposal.group.slug}/proposals/{d.proposal.number}/decision")

    item_guid_is_permalink = False

    def item_pubdate(self, d):
        return d.decided_at

    def item_updateddate(self, d):
        return d.decided_at


class ProposalsFeed(_Atom):
    def get_object(self, request, slug):
        return get_object_or_404(WorkingGroup, slug=slug)

    def title(self, group):
        return _("Proposals of %(group)s") % {"group": group.name}

    def link(self, group):
        return group.get_absolute_url()

    def feed_guid(self, group):
        return tag(f"groups/{group.slug}/proposals")

    def items(self, group):
        return (
            Proposal.objects.filter(group=group)
            .select_related("group")
            .order_by("-created_at", "-pk")[:LIMIT]
        )

    def item_title(self, p):
        return f"#{p.number} {p.title} ({p.get_status_display().lower()})"

    def item_description(self, p):
        return p.summary

    def item_link(self, p):
        return p.get_absolute_url()

    def item_guid(self, p):
        return tag(f"groups/{p.group.slug}/proposals/{p.number}")

    item_guid_is_permalink = False

    def item_pubdate(self, p):
        return p.created_at

    def item_updateddate(self, p):
        return p.updated_at


class PublicLogFeed(_Atom):
    title = gettext_lazy("The public log")
    link = "/api/v1/ledger/"
    subtitle = gettext_lazy("Every governance event, as recorded in the hash-chained ledger.")

    def feed_guid(self):
        return tag("log")

    def items(self):
        return LedgerEntry.objects.select_related("group").order_by("-seq")[:LIMIT]

    def item_title(self, e):
        p = e.payload or {}
        what = p.get("title") or p.get("name") or p.get("group") or ""
        return f"{e.kind}: {what}" if what else e.kind

    def item_description(self, e):
        return _("Entry #%(seq)s, hash %(hash)s.") % {"seq": e.seq, "hash": e.hash}

    def item_link(self, e):
        p = e.payload or {}
        if p.get("group") and p.get("number"):
            return f"/groups/{p['group']}/proposals/{p['number']}/"
        if isinstance(p.get("group"), str):
            return f"/groups/{p['group']}/"
        return f"/api/v1/ledger/?seq={e.seq}"

    def item_guid(self, e):
        return tag(f"log/{e.seq}")

    item_guid_is_permalink = False

    def item_pubdate(self, e):
        return e.created_at


class DatasetsFeed(_Atom):
    title = gettext_lazy("New datasets and versions")
    link = "/datasets/"
    subtitle = gettext_lazy("Public datasets registered, and new versions of them.")

    def feed_guid(self):
        return tag("datasets")

    def items(self):
        datasets = Dataset.objects.public().order_by("-created_at", "-pk")[:LIMIT]
        versions = (
            DatasetVersion.objects.filter(dataset__visibility=Dataset.Visibility.PUBLIC)
            .select_related("dataset")
            .order_by("-created_at", "-pk")[:LIMIT]
        )
        both = chain(datasets, versions)
        return sorted(both, key=lambda item: item.created_at, reverse=True)[:LIMIT]

    def item_title(self, item):
        if isinstance(item, DatasetVersion):
            return f"{item.dataset.name} {item.version}"
        return _("New dataset: %(name)s") % {"name": item.name}

    def item_description(self, item):
        if isinstance(item, DatasetVersion):
            values = {"format": item.format, "sha256": item.sha256, "rows": item.row_count}
            if item.row_count is None:
                return _("%(format)s, sha256 %(sha256)s") % values
            return _("%(rows)s rows, %(format)s, sha256 %(sha256)s") % values
        return item.summary

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        if isinstance(item, DatasetVersion):
            return tag(f"datasets/{item.dataset.slug}/versions/{item.version}")
        return tag(f"datasets/{item.slug}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at


class SurveysFeed(_Atom):
    title = gettext_lazy("Surveys")
    link = "/surveys/"
    subtitle = gettext_lazy("Surveys open to the community, and closed ones.")

    def feed_guid(self):
        return tag("surveys")

    def items(self):
        return Survey.objects.visible_to(None).order_by("-created_at", "-pk")[:LIMIT]

    def item_title(self, s):
        return f"{s.title} ({s.get_status_display().lower()})"

    def item_description(self, s):
        return (s.introduction or "")[:500]

    def item_link(self, s):
        return s.get_absolute_url()

    def item_guid(self, s):
        return tag(f"surveys/{s.slug}")

    item_guid_is_permalink = False

    def item_pubdate(self, s):
        return s.opens_at or s.created_at

    def item_updateddate(self, s):
        return s.updated_at


def alternates(view_name: str, kwargs: dict) -> list[tuple[str, str]]:
    """``(title, path)`` of the feeds that mirror the page named ``view_name``."""
    slug = kwargs.get("slug")
    if view_name in ("governance:group_detail", "governance:group_activity") and slug:
        return [
            (_("Decisions"), f"/feeds/groups/{slug}/decisions/"),
            (_("Proposals"), f"/feeds/groups/{slug}/proposals/"),
        ]
    if view_name in ("home", "governance:group_list"):
        return [(_("The public log"), "/feeds/log/")]
    if view_name in ("datasets_registry:dataset_list", "datasets_registry:dataset_detail"):
        return [(_("New datasets and versions"), "/feeds/datasets/")]
    if view_name in ("surveys:list", "surveys:detail"):
        return [(_("Surveys"), "/feeds/surveys/")]
    return []
