"""Dataset API: shapes, filters, validation errors, visibility of private datasets, permissions."""

import pytest
from django.urls import reverse

from datasets_registry.models import Dataset, StandardVersion

from .factories import VALID_METADATA, DatasetFactory, DatasetVersionFactory, metadata

pytestmark = pytest.mark.django_db

LIST = "/api/v1/datasets/"


def payload(**overrides):
    body = {
        "name": "Cats in the wild",
        "summary": "Captioned cats.",
        "description": "Long **text**.",
        "license": "CC-BY-4.0",
        "standard": "omi-dataset-card@1.0.0",
        "metadata": VALID_METADATA,
        "visibility": "public",
    }
    body.update(overrides)
    return body


def test_it_registers_a_dataset(card, user, api_client_for):
    response = api_client_for(user).post(LIST, payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "cats-in-the-wild"
    assert body["owner"] == "alice"
    assert body["standard"] == "omi-dataset-card@1.0.0"
    assert body["license"] == "CC-BY-4.0"
    assert body["visibility"] == "public"
    assert body["corpus_status"] == "candidate"
    assert body["versions_url"].endswith("/api/v1/datasets/cats-in-the-wild/versions/")
    assert Dataset.objects.get(slug="cats-in-the-wild").owner == user


def test_it_makes_slugs_unique(card, user, api_client_for):
    client = api_client_for(user)
    assert client.post(LIST, payload(), format="json").json()["slug"] == "cats-in-the-wild"
    assert client.post(LIST, payload(), format="json").json()["slug"] == "cats-in-the-wild-2"


def test_an_explicit_taken_slug_is_a_conflict(card, user, api_client_for):
    DatasetFactory(slug="taken")
    response = api_client_for(user).post(LIST, payload(slug="taken"), format="json")
    assert response.status_code == 409
    assert response.json()["errors"] == {"slug": ["This slug is taken."]}


def test_anonymous_cannot_register(card, api_client):
    response = api_client.post(LIST, payload(), format="json")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}
    assert not Dataset.objects.exists()


def test_invalid_metadata_reports_every_error_by_json_pointer(card, user, api_client_for):
    bad = metadata(
        languages="en",
        captioning={"method": "model"},
        contact={"name": "X", "email": "not-an-email"},
        extra_field=1,
    )
    del bad["creators"]
    response = api_client_for(user).post(LIST, payload(metadata=bad), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["/metadata/creators"] == ["This field is required."]
    assert "/metadata/languages" in errors
    assert "/metadata/captioning/models" in errors  # model-written captions name the model
    assert "/metadata/contact/email" in errors
    assert "/metadata" in errors and "extra_field" in errors["/metadata"][0]
    assert not Dataset.objects.exists()


def test_unknown_licence_is_refused(card, user, api_client_for):
    response = api_client_for(user).post(LIST, payload(license="CC-BY-9.9"), format="json")
    assert response.status_code == 400
    assert "not a valid SPDX" in response.json()["errors"]["license"][0]


def test_spdx_expressions_are_accepted(card, user, api_client_for):
    response = api_client_for(user).post(LIST, payload(license="MIT OR Apache-2.0"), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "ref, message",
    [
        ("nope@1.0.0", "There is no standard version nope@1.0.0."),
        ("omi-dataset-card@9.9.9", "There is no standard version omi-dataset-card@9.9.9."),
        ("omi-dataset-card", "is not of the form slug@version"),
    ],
)
def test_unknown_standard_is_refused(card, user, api_client_for, ref, message):
    response = api_client_for(user).post(LIST, payload(standard=ref), format="json")
    assert response.status_code == 400
    assert message in response.json()["errors"]["standard"][0]


def test_a_non_adopted_standard_version_is_refused(card, user, api_client_for):
    StandardVersion.objects.create(standard=card.standard, version="2.0.0", schema=card.schema)
    response = api_client_for(user).post(
        LIST, payload(standard="omi-dataset-card@2.0.0"), format="json"
    )
    assert response.status_code == 400
    assert "only adopted" in response.json()["errors"]["standard"][0]
    assert "omi-dataset-card@1.0.0" in response.json()["errors"]["standard"][0]


def test_list_filters(card, api_client):
    DatasetFactory(name="Red cats", slug="red", license="CC0-1.0")
    DatasetFactory(name="Blue dogs", slug="blue", license="CC-BY-4.0", status="deprecated")
    DatasetFactory(name="Hidden cats", slug="hidden", visibility="private")

    def slugs(**params):
        return [d["slug"] for d in api_client.get(LIST, params).json()["results"]]

    assert slugs() == ["blue", "red"]
    assert slugs(search="cats") == ["red"]
    assert slugs(license="cc0-1.0") == ["red"]
    assert slugs(status="deprecated") == ["blue"]
    assert slugs(standard="omi-dataset-card") == ["blue", "red"]
    assert slugs(standard="omi-dataset-card@1.0.0") == ["blue", "red"]
    assert slugs(standard="other") == []


def test_private_datasets_are_never_leaked(card, user, other_user, api_client_for, client):
    private = DatasetFactory(slug="secret", name="Secret cats", owner=user, visibility="private")
    DatasetVersionFactory(dataset=private, version="1.0")
    outsider = api_client_for(other_user)
    anonymous = api_client_for(None)
    for who in (outsider, anonymous):
        assert who.get(LIST).json()["results"] == []
        assert who.get(LIST, {"search": "secret"}).json()["results"] == []
        for url in (
            "/api/v1/datasets/secret/",
            "/api/v1/datasets/secret/versions/",
            "/api/v1/datasets/secret/versions/1.0/",
            "/api/v1/datasets/secret/versions/1.0/croissant/",
            "/api/v1/datasets/secret/versions/1.0/download/",
        ):
            response = who.get(url)
            assert response.status_code == 404, url
            assert response.json() == {"detail": "Not found.", "errors": {}}
    # Not counted on the website either, nor reachable by slug.
    page = client.get("/datasets/")
    assert b"Secret cats" not in page.content
    assert page.context["page"].paginator.count == 0
    assert client.get("/datasets/secret/").status_code == 404
    assert client.get("/datasets/?search=secret").context["page"].paginator.count == 0
    # The standard page's dataset count does not include it.
    assert client.get(card.standard.get_absolute_url()).context["dataset_count"] == 0


def test_owner_maintainers_and_staff_see_a_private_dataset(
    card, user, other_user, staff_user, api_client_for
):
    private = DatasetFactory(slug="secret", owner=user, visibility="private")
    assert api_client_for(other_user).get("/api/v1/datasets/secret/").status_code == 404
    private.maintainers.add(other_user)
    for who in (user, other_user, staff_user):
        client = api_client_for(who)
        assert client.get("/api/v1/datasets/secret/").status_code == 200
        assert [d["slug"] for d in client.get(LIST).json()["results"]] == ["secret"]


def test_owner_patches_and_metadata_is_revalidated(card, user, api_client_for):
    DatasetFactory(slug="mine", owner=user)
    client = api_client_for(user)
    response = client.patch(
        "/api/v1/datasets/mine/", {"summary": "New", "license": "CC0-1.0"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["summary"] == "New"
    assert response.json()["license"] == "CC0-1.0"
    response = client.patch("/api/v1/datasets/mine/", {"metadata": {"creators": []}}, format="json")
    assert response.status_code == 400
    assert "/metadata/provenance" in response.json()["errors"]
    assert "/metadata/creators" in response.json()["errors"]


def test_a_maintainer_may_patch(card, user, other_user, api_client_for):
    dataset = DatasetFactory(slug="mine", owner=user)
    dataset.maintainers.add(other_user)
    response = api_client_for(other_user).patch(
        "/api/v1/datasets/mine/", {"summary": "by a maintainer"}, format="json"
    )
    assert response.status_code == 200


def test_nobody_else_may_patch(card, user, other_user, api_client_for):
    DatasetFactory(slug="mine", owner=user, summary="original")
    response = api_client_for(other_user).patch(
        "/api/v1/datasets/mine/", {"summary": "vandalised"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert api_client_for(None).patch(
        "/api/v1/datasets/mine/", {"summary": "x"}, format="json"
    ).status_code in (401, 403)
    assert Dataset.objects.get(slug="mine").summary == "original"


def test_put_is_not_offered(card, user, api_client_for):
    DatasetFactory(slug="mine", owner=user)
    response = api_client_for(user).put("/api/v1/datasets/mine/", payload(), format="json")
    assert response.status_code == 405


def test_list_and_detail_query_counts_are_constant(
    card, user, api_client_for, django_assert_num_queries
):
    people = [DatasetFactory().owner for _ in range(3)]
    for i in range(40):
        dataset = DatasetFactory(owner=people[i % 3])
        dataset.maintainers.add(people[(i + 1) % 3])
        DatasetVersionFactory(dataset=dataset)
    client = api_client_for(user)
    # 1: the page of datasets (with owner, standard and version count), 2: their maintainers.
    with django_assert_num_queries(2):
        response = client.get(LIST, {"page_size": 50})
    assert len(response.json()["results"]) == 43
    slug = response.json()["results"][0]["slug"]
    # 1: the dataset, 2: maintainers, 3: its versions.
    with django_assert_num_queries(3):
        assert client.get(reverse("api-dataset-detail", args=[slug])).status_code == 200


def test_a_card_has_the_schemas_fields_in_order_in_the_list_and_alone(card, user, api_client_for):
    # The schema's fields (DatasetOutput) and the card (dataset_cards) are written in two
    # places: the list and the detail must both give exactly the declared fields.
    from datasets_registry.serializers import DatasetOutput

    dataset = DatasetFactory(owner=user)
    dataset.maintainers.add(DatasetFactory().owner)
    client = api_client_for(user)
    listed = next(c for c in client.get(LIST).json()["results"] if c["slug"] == dataset.slug)
    alone = client.get(reverse("api-dataset-detail", args=[dataset.slug])).json()
    assert list(listed) == DatasetOutput.Meta.fields
    assert {k: alone[k] for k in listed} == listed


def test_each_missing_field_is_reported_once(card, user, api_client_for):
    # jsonschema reports one "required" error per missing property, each with the whole list:
    # every missing field used to be reported once per missing sibling (11 times here).
    response = api_client_for(user).post(LIST, payload(metadata={}), format="json")
    assert response.status_code == 400
    body = response.json()
    required = card.schema["required"]
    assert {f"/metadata/{name}" for name in required} == set(body["errors"])
    for name in required:
        assert body["errors"][f"/metadata/{name}"] == ["This field is required."]
    assert body["detail"].endswith(f"(and {len(required) - 1} more)")


@pytest.mark.parametrize("field", ["status", "visibility", "corpus_status"])
def test_a_filter_value_that_is_not_a_choice_is_a_400(card, api_client, field):
    DatasetFactory()
    response = api_client.get(LIST, {field: "AAA"})
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert "AAA is not one of the available choices" in body["errors"][field][0]
    assert body["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize("size", ["0", "-1", "abc", "201", "1.5"])
def test_a_page_size_out_of_range_is_a_400_not_clamped(card, api_client, size):
    response = api_client.get(LIST, {"page_size": size})
    assert response.status_code == 400
    assert response.json()["errors"]["page_size"] == [
        f"A whole number from 1 to 200 (got {size!r})."
    ]


def test_page_sizes_and_cursors(card, api_client):
    for i in range(3):
        DatasetFactory(slug=f"d{i}")
    assert len(api_client.get(LIST, {"page_size": 200}).json()["results"]) == 3
    first = api_client.get(LIST, {"page_size": 1}).json()
    assert len(first["results"]) == 1 and "page_size=1" in first["next"]
    assert api_client.get(first["next"]).json()["results"][0]["slug"] == "d1"
    response = api_client.get(LIST, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


def test_metadata_errors_state_the_limits(card, user, api_client_for):
    """Issue 16, defect 4: "'COCO's.' is too short" left out the minimum."""
    bad = metadata(provenance="COCO's.", languages=[])
    bad["captioning"] = {"method": "robot", "captions_per_image": 0}
    response = api_client_for(user).post(LIST, payload(metadata=bad), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["/metadata/provenance"] == ["Write at least 20 characters; this has 7."]
    assert errors["/metadata/languages"] == ["Give at least 1 item; this has 0."]
    assert errors["/metadata/captioning/captions_per_image"] == ["Must be at least 1; this is 0."]
    assert errors["/metadata/captioning/method"] == [
        "Choose one of: human, model, mixed (not 'robot')."
    ]
