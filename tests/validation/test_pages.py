"""The validation panel on the version page, the htmx partial, cancel, and the issue browser."""

import pytest

from datasets_registry.validation.models import ValidationRun
from datasets_registry.validation.selectors import badge_for, latest_runs
from tests.factories import UserFactory

from .factories import DEFECTS, jsonl, make_dataset, upload

pytestmark = pytest.mark.django_db


def page(version):
    return f"/datasets/{version.dataset.slug}/versions/{version.version}/"


@pytest.fixture
def validated(eager, django_capture_on_commit_callbacks):
    dataset = make_dataset(UserFactory(username="owner"))
    with django_capture_on_commit_callbacks(execute=True):
        return upload(dataset, jsonl(DEFECTS))


def test_version_page_shows_counts_chart_and_highlighted_rows(validated, client):
    html = client.get(page(validated)).content.decode()
    assert 'id="validation-panel"' in html
    assert "2 errors" in html  # the badge
    assert "Empty caption" in html and "caption_empty" in html
    assert "Placeholder caption" in html
    assert "The caption is a placeholder" in html  # the rule's explanation
    assert '<mark><span class="ws" title="space">·</span></mark>' in html  # the stray space, drawn
    assert "hx-get" not in html  # a finished run is not polled
    assert "Cancel the run" not in html and "Validate again" not in html


def test_maintainers_see_revalidate_and_can_cancel(
    no_dispatch, django_capture_on_commit_callbacks, client_for
):
    owner = UserFactory(username="owner2")
    dataset = make_dataset(owner)
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    stranger = client_for(UserFactory(username="stranger2"))
    html = stranger.get(page(version)).content.decode()
    assert "hx-get" in html and "Progress" in html and "Cancel the run" not in html
    response = stranger.post(f"/validation/runs/{run.pk}/cancel/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "queued"  # refused
    mine = client_for(owner)
    assert "Cancel the run" in mine.get(page(version)).content.decode()
    asked = mine.post(f"/validation/runs/{run.pk}/cancel/")
    assert asked.status_code == 200 and "Cancel the validation of" in asked.content.decode()
    run.refresh_from_db()
    assert run.status == "queued"  # the button asks first (issue 16, defect 2)
    mine.post(f"/validation/runs/{run.pk}/cancel/", {"confirm": "yes"})
    run.refresh_from_db()
    assert run.status == "cancelled"
    html = mine.get(page(version)).content.decode()
    assert "Validate again" in html
    mine.post(f"/datasets/{dataset.slug}/versions/{version.version}/validation/revalidate/")
    assert ValidationRun.objects.filter(version=version).count() == 2


def test_panel_partial_for_htmx(validated, client, django_assert_num_queries):
    run = ValidationRun.objects.get()
    # the run, its visibility, the samples, its public log entry (a finished run)
    with django_assert_num_queries(4):
        response = client.get(f"/validation/runs/{run.pk}/panel/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="validation-panel"')


def test_issue_browser_filters_and_paginates(validated, client):
    url = f"/datasets/{validated.dataset.slug}/versions/{validated.version}/validation/issues/"
    issue = '<td><span class="badge'
    html = client.get(url).content.decode()
    assert html.count(issue) == 5
    html = client.get(url, {"rule": "caption_empty"}).content.decode()
    assert html.count(issue) == 1 and "caption_empty" in html
    html = client.get(url, {"severity": "warning"}).content.decode()
    assert html.count(issue) == 3
    html = client.get(url, {"rule": "contains_email"}).content.decode()
    assert "No failing rows match this filter." in html


def test_private_runs_are_hidden(eager, django_capture_on_commit_callbacks, client_for, client):
    owner = UserFactory(username="private-owner")
    dataset = make_dataset(owner, visibility="private")
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    run = ValidationRun.objects.get(version=version)
    nosy = client_for(UserFactory(username="nosy2"))
    assert nosy.get(f"/validation/runs/{run.pk}/panel/").status_code == 404
    assert client.get(f"/validation/runs/{run.pk}/panel/").status_code == 404
    issues = f"/datasets/{dataset.slug}/versions/{version.version}/validation/issues/"
    assert nosy.get(issues).status_code == 404
    assert nosy.post(f"/validation/runs/{run.pk}/cancel/").status_code == 404
    assert client_for(owner).get(f"/validation/runs/{run.pk}/panel/").status_code == 200


def test_badges(validated, no_dispatch):
    run = ValidationRun.objects.get()
    assert badge_for(run) == {"css": "errors", "label": "2 errors"}
    run.counts = {"by_rule": {"stray_whitespace": 1}, "by_severity": {"error": 0, "warning": 1}}
    assert badge_for(run) == {"css": "warnings", "label": "1 warning"}
    run.counts = {"by_rule": {}, "by_severity": {"error": 0, "warning": 0}}
    assert badge_for(run)["css"] == "passed"
    run.status = "running"
    assert badge_for(run)["css"] == "running"
    assert badge_for(None)["label"] == "not validated"
    assert latest_runs([validated]) == {validated.pk: ValidationRun.objects.get()}


def test_the_issue_browser_says_page_x_of_y_and_never_pages_past_the_end(
    eager, django_capture_on_commit_callbacks, client
):
    dataset = make_dataset(UserFactory(username="owner3"))
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS * 30))  # 266 issues: 6 pages of 50
    url = f"/datasets/{dataset.slug}/versions/{version.version}/validation/issues/"
    html = client.get(url).content.decode()
    assert "Page 1 of 6" in html and "266 failing rows" in html
    assert 'href="?page=2"' in html
    last = client.get(url, {"page": 99})
    assert "Page 6 of 6" in last.content.decode()
    assert last.content.decode().count('<td><span class="badge') == 266 - 5 * 50
    warnings = client.get(url, {"severity": "warning", "page": 2}).content.decode()
    assert "Page 2 of 5" in warnings and 'href="?severity=warning&amp;page=3"' in warnings


def test_an_unknown_rule_in_the_issue_browser_is_a_400(validated, client):
    url = f"/datasets/{validated.dataset.slug}/versions/{validated.version}/validation/issues/"
    response = client.get(url, {"rule": "nope", "severity": "fatal"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_rule_error"' in html and 'id="id_severity_error"' in html


def test_the_issue_browser_says_each_thing_once_and_shows_hidden_whitespace(validated, client):
    """Issue 16, defect 11: the rule's explanation once per page (not under every row's message),
    stray whitespace drawn visibly, "page X of Y" even on a single page."""
    from datasets_registry.captions import RULES

    url = f"/datasets/{validated.dataset.slug}/versions/{validated.version}/validation/issues/"
    html = client.get(url).content.decode()
    explanation = RULES["stray_whitespace"]["explanation"]
    assert html.count(explanation) == 1
    assert "Page 1 of 1 · 5 failing rows" in html
    # DEFECTS' last caption ends with a space: drawn, and marked as the match.
    assert '<mark><span class="ws" title="space">·</span></mark></code>' in html
    assert 'class="caption-value"' in html


def test_a_duplicate_row_shows_its_caption_and_links_to_the_first_occurrence(validated, client):
    """Issue 16, defect 11: the report kept only the row numbers of a duplicate."""
    from .factories import CLEAN

    url = f"/datasets/{validated.dataset.slug}/versions/{validated.version}/validation/issues/"
    html = client.get(url, {"rule": "duplicate_caption"}).content.decode()
    assert CLEAN[0] in html  # row 5 repeats row 1's caption, now shown beside the reason
    assert "The same caption appears in row 1." in html
    assert 'href="?row=1#row-1"' in html and "Go to row 1" in html
    # The first occurrence passes every rule: the list says so and goes on after it.
    first = client.get(url, {"row": "1"}).content.decode()
    assert "Row 1 passes every rule" in first and 'id="row-2"' in first


def test_go_to_row_opens_the_page_that_holds_the_row(
    eager, django_capture_on_commit_callbacks, client
):
    dataset = make_dataset(UserFactory(username="owner4"))
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS * 30))  # 266 issues on 180 rows: 6 pages
    url = f"/datasets/{dataset.slug}/versions/{version.version}/validation/issues/"
    html = client.get(url, {"row": "150"}).content.decode()
    # Rows 2, 3, 5 and 6 of every six fail (row 5 twice from row 7 on): row 150 is issue 219.
    assert "Page 5 of 6" in html
    assert '<tr class="target" id="row-150">' in html and "Row 150 passes" not in html
    assert 'href="?row=150&amp;page=6"' in html  # the pager moves on from there
    warnings = client.get(url, {"row": "150", "severity": "warning"}).content.decode()
    assert 'class="target" id="row-150"' in warnings and "Page 4 of 5" in warnings
    for bad in ("0", "-3", "abc", "181"):
        refused = client.get(url, {"row": bad})
        assert refused.status_code == 400, bad
        assert "Give a row number from 1 to 180." in refused.content.decode()


def test_caption_value_escapes_and_draws_whitespace():
    from datasets_registry.validation.templatetags.validation_tags import caption_value

    html = caption_value({"before": " <b>a", "match": "  ", "after": "b\tc "})
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.count('title="space"') == 4 and 'title="tab"' in html
    assert "<mark>" in html and "</mark>" in html
    assert caption_value({"before": "", "match": "", "after": ""}) == ""
    assert caption_value({"before": "a b", "match": "", "after": ""}).count("ws") == 0
