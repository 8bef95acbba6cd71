"""Markdown to HTML that is safe to show: rendered, then sanitised with nh3 (an allow-list).

The one renderer for everything people write (charters, proposals, survey introductions, dataset
descriptions), so every page applies the same sanitising policy.

Images: only from this site. An image from another host would be fetched by every reader's
browser (a tracking pixel in a proposal sees who reads it, and when), so ``![alt](https://…)``
becomes a link to the image, labelled with its alt text, which a reader may follow or not. The
Content Security Policy (``img-src 'self'``, ``config.security``) backs this up in the browser.
"""

import functools
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown as md
import nh3
from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}


def is_local(url: str) -> bool:
    """A URL on this site: relative (``/media/x.png``), or absolute on ``SITE_URL``'s host."""
    parts = urlsplit(url.strip())
    if not parts.scheme and not parts.netloc:
        return True
    site = urlsplit(settings.SITE_URL)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == site.netloc.lower()


class _ExternalImagesToLinks(Treeprocessor):
    def run(self, root):
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "img" or is_local(child.get("src", "")):
                    continue
                src = child.get("src", "")
                link = ElementTree.Element("a", {"href": src})
                host = urlsplit(src).netloc or _("another site")
                link.text = _("%(alt)s (image on %(host)s)") % {
                    "alt": child.get("alt") or _("Image"),
                    "host": host,
                }
                link.tail = child.tail
                parent.remove(child)
                parent.insert(index, link)


class _LocalImagesOnly(Extension):
    def extendMarkdown(self, md_instance):
        md_instance.treeprocessors.register(_ExternalImagesToLinks(md_instance), "local_images", 0)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Raw HTML <img> bypasses the tree processor: drop its source when it is another host's.
    if tag == "img" and attribute == "src" and not is_local(value):
        return None
    return value


# A table scrolls inside its own box (it never runs into the next card); the box is focusable so
# that keyboard users can scroll it. Added after sanitising: fixed markup, nothing from the text.
TABLE_OPEN = '<div class="md-table" role="region" aria-label="{}" tabindex="0"><table>'
TABLE_CLOSE = "</table></div>"


def render(text: str) -> SafeString:
    """``text`` as sanitised HTML. Pages render the same texts again and again (a proposal's body
    on every view): the result depends only on the text, the language and the site's address."""
    return _render(text or "", get_language(), settings.SITE_URL)


@functools.lru_cache(maxsize=256)
def _render(text: str, language: str | None, site_url: str) -> SafeString:
    html = md.markdown(
        text, extensions=["extra", "sane_lists", _LocalImagesOnly()], output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    table_open = format_html(TABLE_OPEN, _("Table"))
    clean = clean.replace("<table>", table_open).replace("</table>", TABLE_CLOSE)
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 with an allow-list)


# --- The editors' preview (issue 16, defect 13) -----------------------------------------------

PREVIEW_MAX_CHARS = 100_000


class MarkdownTextarea(forms.Textarea):
    """A textarea for Markdown with a Write / Preview switch (``static/js/markdown-preview.js``),
    the preview rendered by ``render`` above through ``config.views.markdown_preview``."""

    def __init__(self, attrs=None):
        super().__init__({"data-markdown-preview": "/markdown/preview/", **(attrs or {})})
