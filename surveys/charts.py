"""Server-rendered SVG bar charts: no JavaScript, readable by screen readers.

Each chart has ``role="img"`` with a ``<title>`` and a ``<desc>`` that states every value, and the
page shows the same numbers in a table next to it. Suppressed bars are drawn hatched, at no length.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 360
VALUE_WIDTH = 110


def _truncate(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(*, chart_id: str, title: str, items: list[dict], k: int) -> SafeString:
    """``items``: ``{"label", "count" (None if suppressed), "withheld", "percent"}``."""
    shown = [i["count"] for i in items if i.get("count") is not None]
    top = max(shown, default=0) or 1
    height = len(items) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    described = []
    bars = []
    for n, item in enumerate(items):
        y = GAP + n * (BAR_HEIGHT + GAP)
        label = escape(_truncate(str(item["label"])))
        if item.get("count") is None:
            text = (
                gettext("withheld")
                if item.get("withheld")
                else gettext("fewer than %(k)s") % {"k": k}
            )
            length = 0
        else:
            pct = f" ({item['percent']}%)" if item.get("percent") is not None else ""
            text = f"{item['count']}{pct}"
            length = round(BAR_WIDTH * item["count"] / top)
        described.append(f"{item['label']}: {text}")
        bars.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7:.0f}" text-anchor="end">{label}</text>'
        )
        if item.get("count") is None:
            bars.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="14" height="{BAR_HEIGHT}" '
                f'fill="url(#{chart_id}-hatch)" stroke="#4a5360"/>'
            )
        else:
            bars.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" height="{BAR_HEIGHT}" '
                'fill="#0b5cad"/>'
            )
        bars.append(
            f'<text x="{LABEL_WIDTH + max(length, 14) + 6}" y="{y + BAR_HEIGHT * 0.7:.0f}">'
            f"{escape(text)}</text>"
        )
    desc = escape("; ".join(described))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" '
        'font-size="13" fill="#1b1f24">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{desc}</desc>'
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#4a5360" '
        'stroke-width="2"/></pattern></defs>' + "".join(bars) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308  (every interpolated text is escaped above)
