"""The validation API: shapes from DESIGN.md, permissions, private datasets, pagination."""

import gzip
import json

import pytest

from datasets_registry.captions import ENGINE_VERSION
from datasets_registry.validation.models import ValidationRun
from tests.factories import UserFactory

from .factories import DEFECTS, jsonl, make_dataset, upload

pytestmark = pytest.mark.django_db


def url(version, suffix=""):
    return f"/api/v1/datasets/{version.dataset.slug}/versions/{version.version}/validation/{suffix}"


@pytest.fixture
def validated(eager, django_capture_on_commit_callbacks):
    dataset = make_dataset(UserFactory(username="owner"))
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS * 30))
    return version


def test_get_the_latest_run(validated, api_client, django_assert_num_queries):
    with django_assert_num_queries(4):  # version (+visibility), run, standard, dataset for links
        response = api_client.get(url(validated))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["progress"] == {"rows_done": 180, "rows_total": 180}
    # per copy: too short, whitespace, a repeat of row 1; each later copy repeats 4 more rows
    assert body["counts"]["by_severity"] == {"error": 60, "warning": 3 * 30 + 4 * 29}
    assert body["counts"]["by_rule"]["caption_empty"] == 30
    assert body["issue_count"] == sum(body["counts"]["by_rule"].values())
    assert body["checked"] == {
        "dataset_sha256": validated.sha256,
        "standard_sha256": validated.dataset.standard_version.sha256,
        "engine_version": ENGINE_VERSION,
    }
    assert body["started_at"] and body["finished_at"]
    assert body["standard"] == "omi-dataset-card@1.0.0"
    assert body["report_url"].endswith("/validation/report.jsonl.gz")


def test_issues_are_paginated_and_filtered(validated, api_client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the version (with its visibility), its latest run
        response = api_client.get(url(validated, "issues/"), {"page_size": 50})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert len(body["results"]) == 50 and body["previous"] is None
    rows = [i["row"] for i in body["results"]]
    assert rows == sorted(rows)
    second = api_client.get(body["next"]).json()
    assert second["results"][0]["row"] >= rows[-1]
    assert second["previous"]
    everything = []
    page = api_client.get(url(validated, "issues/"), {"page_size": 500}).json()
    everything += page["results"]
    assert page["next"] is None
    assert len(everything) == ValidationRun.objects.get().issue_count
    errors = api_client.get(
        url(validated, "issues/"), {"severity": "error", "rule": "caption_empty"}
    ).json()
    assert {(i["rule"], i["severity"]) for i in errors["results"]} == {("caption_empty", "error")}
    assert len(errors["results"]) == 30
    assert set(errors["results"][0]) >= {"row", "rule", "severity", "message", "value"}


def test_pages_come_from_the_report_index_and_agree_with_a_full_scan(
    eager, django_capture_on_commit_callbacks, api_client, monkeypatch
):
    from datasets_registry.captions import report

    monkeypatch.setattr(report, "REPORT_BLOCK_LINES", 16)  # many blocks in a small report
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(make_dataset(UserFactory(username="owner")), jsonl(DEFECTS * 30))
    run = ValidationRun.objects.get()
    assert len(run.report_index) > 10 and run.report_index[0]["rules"]
    assert sum(b["lines"] for b in run.report_index) == run.issue_count

    def pages(**params) -> list[dict]:
        out, link = [], url(version, "issues/")
        query = {"page_size": 7, **params}
        while link:
            body = api_client.get(link, query).json()
            out += body["results"]
            link, query = body["next"], {}
        return out

    everything = pages()
    assert len(everything) == run.issue_count
    assert [i["row"] for i in everything] == sorted(i["row"] for i in everything)
    for params in (
        {"rule": "caption_empty"},
        {"severity": "warning"},
        {"rule": "stray_whitespace"},
    ):
        wanted = [i for i in everything if all(i[k] == v for k, v in params.items())]
        assert pages(**params) == wanted and wanted


def test_bad_filters_and_cursor_are_400(validated, api_client):
    response = api_client.get(
        url(validated, "issues/"), {"rule": "nope", "severity": "fatal", "page_size": 0}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"rule", "severity", "page_size"} and body["detail"]
    assert api_client.get(url(validated, "issues/"), {"cursor": "%%%"}).status_code == 400


def test_report_download(validated, api_client):
    response = api_client.get(url(validated, "report.jsonl.gz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    lines = gzip.decompress(b"".join(response.streaming_content)).splitlines()
    assert len(lines) == ValidationRun.objects.get().issue_count
    assert json.loads(lines[0])["row"] == 2


def test_revalidate_is_for_maintainers(validated, api_client_for, api_client):
    stranger = UserFactory(username="stranger")
    response = api_client_for(stranger).post(url(validated))
    assert response.status_code == 403 and response.json()["detail"]
    assert api_client.post(url(validated)).status_code in (401, 403)
    response = api_client_for(validated.dataset.owner).post(url(validated))
    assert response.status_code == 201
    assert response.json()["status"] in ("queued", "succeeded")
    assert ValidationRun.objects.filter(version=validated).count() == 2


def test_revalidate_while_active_is_409(
    no_dispatch, django_capture_on_commit_callbacks, api_client_for
):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    response = api_client_for(dataset.owner).post(url(version))
    assert response.status_code == 409 and response.json()["detail"]


def test_issues_before_the_run_finished_is_409(
    no_dispatch, django_capture_on_commit_callbacks, api_client
):
    dataset = make_dataset()
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    assert api_client.get(url(version)).json()["status"] == "queued"
    assert api_client.get(url(version, "issues/")).status_code == 409
    assert api_client.get(url(version, "report.jsonl.gz")).status_code == 404


def test_private_datasets_are_404_to_others(
    eager, django_capture_on_commit_callbacks, api_client_for, api_client
):
    owner = UserFactory(username="secretive")
    dataset = make_dataset(owner, visibility="private")
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(dataset, jsonl(DEFECTS))
    stranger = api_client_for(UserFactory(username="nosy"))
    for suffix in ("", "issues/", "report.jsonl.gz"):
        assert stranger.get(url(version, suffix)).status_code == 404
        assert api_client.get(url(version, suffix)).status_code == 404
        assert api_client_for(owner).get(url(version, suffix)).status_code == 200
    assert stranger.post(url(version)).status_code == 404


def test_never_validated_is_404(api_client):
    from datasets_registry.models import DatasetVersion

    dataset = make_dataset()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("datasets_registry.validation.services.run_create", lambda **kw: None)
        version = upload(dataset, jsonl(DEFECTS))
    assert DatasetVersion.objects.filter(pk=version.pk).exists()
    response = api_client.get(url(version))
    assert response.status_code == 404 and "not been validated" in response.json()["detail"]
