"""The schema tells the truth (issue 10, item 18): error responses, media types, filters, pages.

The fuzz test (``test_fuzz_openapi.py``) drives every operation with every schemathesis check;
these pin the mechanism (``config.openapi``) and the cases the fuzzer leaves out (cursors).
"""

import functools
import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from accounts.services import api_token_create
from config.openapi import derived_errors
from tests.factories import UserFactory
from tests.governance.factories import WorkingGroupFactory

ERROR_REF = "#/components/schemas/ErrorOutput"


@functools.cache
def _document():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


@pytest.fixture
def document():
    return _document()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def test_every_error_response_has_the_error_body(document):
    for method, path, operation in _operations(document):
        errors = {c: r for c, r in operation["responses"].items() if c >= "400"}
        assert errors, f"{method} {path} declares no error response"
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, code)
    error = document["components"]["schemas"]["ErrorOutput"]
    assert set(error["required"]) == {"detail", "errors"}


def test_errors_follow_from_the_view(document):
    ops = {(m, p): o for m, p, o in _operations(document)}
    # A list: parameters (400), throttles (429); anyone may read it.
    assert set(ops["GET", "/api/v1/groups/"]["responses"]) == {"200", "400", "401", "429"}
    # A write under a path: also 403, 404, 409, 503; a body: 415.
    join = set(ops["POST", "/api/v1/groups/{slug}/join/"]["responses"])
    assert {"401", "403", "404", "409", "429", "503"} <= join
    create = set(ops["POST", "/api/v1/datasets/"]["responses"])
    assert {"400", "401", "403", "409", "415", "429", "503"} <= create
    # Multipart uploads can be too large.
    assert "413" in ops["POST", "/api/v1/datasets/{slug}/versions/"]["responses"]


def test_a_view_adds_and_drops_codes_with_api_errors():
    class Plain(APIView):
        permission_classes = [AllowAny]
        throttle_classes = []

    class Declared(Plain):
        permission_classes = [IsAuthenticated]
        api_errors = {409: "The slug is taken.", 429: None, 404: None}

    path_param = {"parameters": [{"in": "path", "name": "slug"}]}
    assert set(derived_errors(Plain(), "GET", {})) == {401}
    assert set(derived_errors(Plain(), "GET", path_param)) == {401, 404}
    declared = derived_errors(Declared(), "GET", path_param)
    assert declared == {
        401: declared[401],
        403: "You may not do this.",
        409: "The slug is taken.",
    }


def test_no_operation_answers_octet_stream(document):
    for method, path, operation in _operations(document):
        for _code, response in operation["responses"].items():
            assert "application/octet-stream" not in response.get("content", {}), (method, path)
    ops = {(m, p): o for m, p, o in _operations(document)}
    export = ops["GET", "/api/v1/surveys/{slug}/export.{fmt}"]["responses"]["200"]["content"]
    assert set(export) == {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    download = ops["GET", "/api/v1/datasets/{slug}/versions/{version}/download/"]["responses"]
    assert {"application/gzip", "text/csv", "application/jsonlines"} <= set(
        download["200"]["content"]
    )
    assert (
        "application/ld+json"
        in (
            ops["GET", "/api/v1/datasets/{slug}/versions/{version}/croissant/"]["responses"]["200"][
                "content"
            ]
        )
    )


def test_page_size_bounds_are_in_the_schema(document):
    seen = 0
    for _method, path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "page_size":
                assert parameter["schema"]["minimum"] == 1, path
                assert parameter["schema"]["maximum"] in (200, 500), path
                seen += 1
    assert seen >= 10


@pytest.mark.django_db
def test_every_enum_filter_refuses_an_unknown_value(document, api_client):
    WorkingGroupFactory(slug="wg")
    fill = {"/api/v1/groups/{slug}/": "/api/v1/groups/wg/"}
    # Checked by the view itself, with its own tests (tests/validation/test_api.py).
    elsewhere = {"/api/v1/datasets/{slug}/versions/{version}/validation/issues/"}
    checked = set()
    for method, path, operation in _operations(document):
        if method != "GET":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or "enum" not in parameter.get("schema", {}):
                continue
            if path in elsewhere:
                continue
            url = path
            for template, value in fill.items():
                url = url.replace(template, value)
            assert "{" not in url, f"give {path} a fixture to check its {parameter['name']} filter"
            response = api_client.get(url, {parameter["name"]: "AAA"})
            assert response.status_code == 400, (url, parameter["name"], response.content)
            assert parameter["name"] in response.json()["errors"]
            checked.add((path, parameter["name"]))
    assert {
        ("/api/v1/datasets/", "visibility"),
        ("/api/v1/groups/{slug}/proposals/", "status"),
        ("/api/v1/groups/{slug}/proposals/", "kind"),
        ("/api/v1/ledger/", "kind"),
        ("/api/v1/surveys/", "status"),
    } <= checked


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["not-a-cursor", "//", "@@"])
def test_a_bad_cursor_is_a_400(api_client, cursor):
    for url in ("/api/v1/groups/", "/api/v1/ledger/", "/api/v1/surveys/", "/api/v1/standards/"):
        response = api_client.get(url, {"cursor": cursor})
        assert response.status_code == 400, url
        assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["0", "-1", "201", "x"])
def test_page_size_out_of_bounds_is_a_400(api_client, size):
    response = api_client.get("/api/v1/groups/", {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]


@pytest.mark.django_db
def test_a_number_is_not_text_and_a_boolean_is_strict(api_client_for):
    user = UserFactory()
    client = api_client_for(user)
    response = client.post("/api/v1/tokens/", {"name": 0}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Not a valid string."]}
    assert client.get("/api/v1/notifications/", {"unread": "null"}).status_code == 400
    assert client.get("/api/v1/notifications/?unread=1&unread=0").status_code == 400
    assert client.get("/api/v1/notifications/", {"unread": "\x1f"}).status_code == 400
    assert client.get("/api/v1/notifications/", {"unread": "true"}).status_code == 200


@pytest.mark.django_db
def test_a_method_tus_lacks_is_a_405_whatever_the_headers(api_client):
    user = UserFactory()
    _, key = api_token_create(user=user, name="t", throttle=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.patch("/api/v1/uploads/")
    assert response.status_code == 405
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_an_empty_optional_parameter_counts_as_left_out(document, api_client_for):
    ops = {(m, p): o for m, p, o in _operations(document)}
    params = {p["name"]: p for p in ops["GET", "/api/v1/datasets/"]["parameters"]}
    assert "" in params["visibility"]["schema"]["enum"]
    assert params["visibility"]["allowEmptyValue"] is True
    client = api_client_for(UserFactory())
    assert client.get("/api/v1/datasets/?visibility=&page_size=&cursor=").status_code == 200
    assert client.get("/api/v1/notifications/?unread=").status_code == 200
