"""The COCO demo data ships inside the repository (issue 16, defect 22): compressed, with its
licence and attribution, so a fresh clone outside the original layout gets the COCO version."""

import gzip
import hashlib
import io
import json

import pytest
from django.conf import settings

from accounts import demo as people_demo
from datasets_registry import demo
from datasets_registry.models import Dataset

DATA = settings.BASE_DIR / "datasets_registry" / "demo_data"


def test_the_coco_captions_ship_in_the_repository_with_their_licence():
    assert demo.COCO_PATH.is_relative_to(settings.BASE_DIR)
    assert demo.COCO_PATH.exists()
    assert demo.COCO_PATH.stat().st_size < 800_000  # compressed: about 0.7 MB
    raw = gzip.decompress(demo.COCO_PATH.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == demo.COCO_SHA256
    rows = raw.decode().splitlines()
    assert len(rows) == 25014
    assert set(json.loads(rows[0])) == {"file_name", "text", "url", "license", "width", "height"}
    readme = (DATA / "README.md").read_text()
    for must in ("CC BY 4.0", "COCO Consortium", "Lin", "ECCV 2014", demo.COCO_SHA256):
        assert must in readme
    assert "Attribution 4.0 International" in (DATA / "LICENSE-CC-BY-4.0.txt").read_text()


@pytest.mark.django_db
def test_a_fresh_clone_seeds_the_coco_version_without_the_shared_folder(card, settings, tmp_path):
    # A clone elsewhere: nothing beside the repository.
    settings.BASE_DIR = tmp_path / "clone"
    people = people_demo.seed()
    from governance import demo as governance_demo

    governance_demo.seed(people=people)
    out = io.StringIO()
    demo.seed(people=people, stdout=out)
    assert "missing" not in out.getvalue()
    version = Dataset.objects.get(slug="coco-val2017-captions").versions.get()
    assert version.row_count == 25014
    assert version.sha256 == demo.COCO_SHA256


@pytest.mark.django_db
def test_a_damaged_copy_is_refused_with_a_message(card, monkeypatch, tmp_path):
    bad = tmp_path / "coco.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"text": "tampered"}\n'))
    monkeypatch.setattr(demo, "COCO_PATH", bad)
    people = people_demo.seed()
    from governance import demo as governance_demo

    governance_demo.seed(people=people)
    out = io.StringIO()
    demo.seed(people=people, stdout=out)
    assert "is damaged" in out.getvalue()
    assert not Dataset.objects.get(slug="coco-val2017-captions").versions.exists()
