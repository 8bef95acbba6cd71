"""The registry shows what other apps say about its versions through one declared interface
(``datasets_registry.annotations``), and never imports them."""

import ast
from pathlib import Path

import pytest

from datasets_registry import annotations

from .factories import DatasetFactory, DatasetVersionFactory

pytestmark = pytest.mark.django_db

REGISTRY = Path(__file__).resolve().parents[2] / "datasets_registry"


def test_the_registry_never_imports_validation():
    offenders = []
    for path in REGISTRY.rglob("*.py"):
        relative = path.relative_to(REGISTRY)
        if relative.parts[0] in ("validation", "captions", "migrations"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
            if any("validation" in name.split(".") for name in names):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


@pytest.fixture
def reviews():
    """A second app that annotates versions: one badge query for any number of versions."""
    calls = []

    def badges(versions):
        calls.append(len(versions))
        return {
            v.pk: annotations.Badge(label=f"{v.version} reviewed", css="passed") for v in versions
        }

    def panel(version, user):
        return annotations.Panel(
            "datasets_registry/_badge.html", {"label": f"panel of {version.version}", "css": ""}
        )

    annotator = annotations.register(
        annotations.VersionAnnotator(
            name="review",
            heading="Human review",
            column="Review",
            badges=badges,
            panel=panel,
            empty="Not reviewed yet.",
        )
    )
    yield calls
    annotations.unregister(annotator.name)


def test_an_annotator_adds_a_column_a_badge_and_a_panel(card, client, reviews):
    dataset = DatasetFactory(slug="cats")
    DatasetVersionFactory(dataset=dataset, version="1.0")
    DatasetVersionFactory(dataset=dataset, version="2.0")
    DatasetFactory(slug="empty")

    listing = client.get("/datasets/").content.decode()
    assert '<th scope="col">Review</th>' in listing
    assert 'class="badge passed">2.0 reviewed' in listing  # the newest version's badge
    assert "no version yet" in listing  # the dataset without a version
    detail = client.get("/datasets/cats/").content.decode()
    assert "1.0 reviewed" in detail and "2.0 reviewed" in detail
    assert 'href="/datasets/cats/versions/1.0/#review-heading"' in detail
    page = client.get("/datasets/cats/versions/1.0/").content.decode()
    assert '<h2 id="review-heading">Human review</h2>' in page
    assert "panel of 1.0" in page
    assert reviews == [1, 2]  # once per page, with every version of it


def test_the_list_asks_each_annotator_once_whatever_the_page_size(
    card, client, reviews, django_assert_max_num_queries
):
    for i in range(12):
        DatasetVersionFactory(dataset=DatasetFactory(name=f"Cats {i}"))
    # The page of datasets and its count, the newest versions, the validation runs, the
    # filter's licence and standard choices.
    with django_assert_max_num_queries(8):
        client.get("/datasets/")
    assert reviews == [12]


def test_without_annotators_the_registry_stands_alone(card, client, monkeypatch):
    monkeypatch.setattr(annotations, "_annotators", {})
    dataset = DatasetFactory(slug="cats")
    DatasetVersionFactory(dataset=dataset, version="1.0")
    assert client.get("/datasets/").status_code == 200
    assert client.get("/datasets/cats/").status_code == 200
    page = client.get("/datasets/cats/versions/1.0/")
    assert page.status_code == 200
    assert b"Caption validation" not in page.content


def test_validation_registers_itself(card):
    found = {a.name: a for a in annotations.annotators()}
    assert found["validation"].heading == "Caption validation"
    version = DatasetVersionFactory()
    badges = annotations.badges([version])[version.pk]
    assert [(a.name, b.label) for a, b in badges] == [("validation", "not validated")]
