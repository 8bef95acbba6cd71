"""Issue 10 item 14 in the browser: the policy holds, and htmx, the charts and the API docs still
work under it. ``browser_page`` fails any test whose pages report a CSP violation."""

import pytest

from datasets_registry.bootstrap import ensure_omi_dataset_card
from surveys import services as survey_services
from tests.factories import UserFactory
from tests.registry.factories import DatasetFactory
from tests.surveys.factories import keys, make_survey, option

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_browser_enforces_the_policy(browser_page, csp_violations):
    page = browser_page
    page.goto("/")
    # An inline script and an image from another host, as an injected page would have them.
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.__inline_ran = true';
            document.body.appendChild(s);
            const img = document.createElement('img');
            img.src = 'https://tracker.example/pixel.gif';
            document.body.appendChild(img);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__inline_ran === undefined")
    assert any("inline script" in v for v in csp_violations)
    assert any("tracker.example" in v for v in csp_violations)
    csp_violations.clear()  # provoked on purpose


def test_htmx_filters_the_dataset_list_under_the_policy(browser_page):
    ensure_omi_dataset_card()
    DatasetFactory(name="Street cats")
    DatasetFactory(name="Garden birds")
    page = browser_page
    page.goto("/datasets/")
    page.locator("#id_search").press_sequentially("birds")
    # htmx swaps the results in place and pushes the URL: no page load.
    page.wait_for_function("() => location.search.includes('search=birds')")
    results = page.locator("#dataset-results")
    results.get_by_text("Garden birds").wait_for()
    assert "Street cats" not in results.inner_text()


def test_an_external_markdown_image_is_a_link_and_never_loads(browser_page):
    ensure_omi_dataset_card()
    dataset = DatasetFactory(
        name="Pixels", description="Before ![tracking pixel](https://tracker.example/p.gif) after"
    )
    requested: list[str] = []
    page = browser_page
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"/datasets/{dataset.slug}/")
    link = page.get_by_role("link", name="tracking pixel (image on tracker.example)")
    assert link.get_attribute("href") == "https://tracker.example/p.gif"
    assert not [url for url in requested if "tracker.example" in url]


def test_survey_charts_render_under_the_policy(browser_page):
    staff = UserFactory(username="csp-staff", is_staff=True, is_superuser=True)
    survey = make_survey(actor=staff, results_visibility="live", min_cell_size=1)
    q = keys(survey)
    for i in range(3):
        survey_services.response_submit(
            survey=survey,
            user=UserFactory(username=f"csp-r{i}"),
            answers={q["role"].id: option(q["role"], "artist"), q["consent"].id: 1 + i},
        )
    page = browser_page
    page.goto(f"/surveys/{survey.slug}/results/")
    chart = page.locator(".chart svg").first
    chart.wait_for()
    assert chart.bounding_box()["width"] > 50


def test_the_api_docs_render_under_the_policy(browser_page):
    page = browser_page
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "OMI Commons API" in page.locator(".swagger-ui .info .title").inner_text()
