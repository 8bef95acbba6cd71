import pytest
from django.test import Client

from .factories import CLEAN, DEFECTS, jsonl, make_dataset, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_dataset_list_shows_each_datasets_validation_badge(
    eager, django_capture_on_commit_callbacks
):
    defective = make_dataset(slug="defective")
    clean = make_dataset(slug="clean")
    make_dataset(slug="empty")
    upload(defective, jsonl(DEFECTS))
    rows = [
        {"file_name": f"c/{i}.jpg", "text": t, "license": "CC-BY-4.0"} for i, t in enumerate(CLEAN)
    ]
    upload(clean, jsonl(rows))

    page = Client().get("/datasets/").content.decode()

    assert 'class="badge errors"' in page
    assert 'class="badge passed">passed' in page
    assert "no version yet" in page
