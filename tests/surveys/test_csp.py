"""Survey pages run no inline script (issue 10, item 14): the platform sends
``Content-Security-Policy: script-src 'self'``. Templates hold no inline ``<script>``, event
handler attribute or ``javascript:`` URL; the answer page's script is a static file; charts are
SVG drawn on the server. The browser half of this is in test_e2e.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from surveys.charts import bar_chart

from .factories import make_survey

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "surveys"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def _inline_code(html: str) -> list[str]:
    problems = [tag for tag in SCRIPT.findall(html) if "src=" not in tag]
    problems += HANDLER.findall(html)
    if "javascript:" in html.lower():
        problems.append("javascript: URL")
    return problems


def test_no_survey_template_holds_inline_code():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    for path in templates:
        assert _inline_code(path.read_text()) == [], path.name


def test_charts_are_plain_svg():
    svg = bar_chart(
        chart_id="c",
        title="<script>alert(1)</script>",
        items=[{"label": 'x" onload="alert(1)', "count": 3, "percent": 100.0}],
        k=5,
    )
    assert _inline_code(str(svg)) == []


@pytest.mark.django_db
def test_the_answer_page_loads_its_script_as_a_file(client_for, user, staff_user):
    survey = make_survey(actor=staff_user)
    html = client_for(user).get(reverse("surveys:answer", args=[survey.slug])).content.decode()
    assert _inline_code(html) == []
    assert re.search(r'<script src="/static/js/surveys-answer\.js" defer></script>', html)
    assert 'style="' not in html.split("<main", 1)[1]  # the widgets' styles are in surveys.css
