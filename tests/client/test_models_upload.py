"""`omi models upload`: a folder of weights, a config and a fine-tuning script, each file sent
resumably over tus, registered as one model version; its checks come back."""

import json

import pytest

from datasets_registry.validation.models import ValidationRun
from governance.models import Membership, WorkingGroup
from models_registry import services
from models_registry.bootstrap import ensure_omi_model_card
from tests.models_registry.helpers import CARD, weights
from tests.registry.factories import DatasetVersionFactory

from .conftest import parse


@pytest.fixture
def setup(uploader):
    group = WorkingGroup.objects.create(slug="model-training", name="Model Training")
    Membership.objects.create(user=uploader, group=group, role="contributor", status="active")
    model = services.model_create(
        actor=uploader,
        name="OMI Alpha",
        license="CDLA-Permissive-2.0",
        group=group,
        standard=ensure_omi_model_card().ref,
    )
    dv = DatasetVersionFactory(dataset__slug="coco-demo", version="1.0.0")
    ValidationRun.objects.create(
        version=dv,
        status="succeeded",
        dataset_sha256=dv.sha256,
        engine_version="t",
        counts={"by_severity": {"error": 0}},
    )
    return model, dv


def folder(tmp_path):
    root = tmp_path / "release"
    (root / "unet").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "unet" / "model.safetensors").write_bytes(weights())
    (root / "scripts" / "finetune.py").write_text("print('tune')\n")
    (root / "config.json").write_text('{"layers": 2}')
    (root / ".hidden").write_text("not sent")
    card = tmp_path / "card.json"
    card.write_text(json.dumps(CARD))
    return root, card


def test_upload_a_folder(omi, setup, tmp_path):
    model, dv = setup
    root, card = folder(tmp_path)
    code, out, err = omi(
        "models",
        "upload",
        model.slug,
        root,
        "--version",
        "0.1.0-alpha.1",
        "--card",
        card,
        "--trained-on",
        "coco-demo@1.0.0",
        "--json",
    )
    assert code == 0, err
    body = parse(out)
    assert [(f["path"], f["role"], f["verified"]) for f in body["manifest"]] == [
        ("config.json", "config", True),
        ("scripts/finetune.py", "finetune_script", True),
        ("unet/model.safetensors", "weights", True),
    ]
    assert body["checks"]["passed"] is True and body["gate"]["open"] is True
    assert body["training_data"][0]["sha256"] == dv.sha256
    assert model.versions.get().files.count() == 3


def test_unknown_model_is_a_clear_error(omi, setup, tmp_path):
    root, card = folder(tmp_path)
    code, _out, err = omi("models", "upload", "nope", root, "--version", "0.1.0", "--card", card)
    assert code == 2 and "No such model" in err


def test_refused_registration_gives_the_field_errors(omi, setup, tmp_path):
    model, _ = setup
    root, card = folder(tmp_path)
    code, _out, err = omi(
        "models",
        "upload",
        model.slug,
        root,
        "--version",
        "0.1.0",
        "--card",
        card,
        "--trained-on",
        "coco-demo@1.0.0",
        "--json",
    )
    assert code == 0
    code, _out, err = omi(
        "models",
        "upload",
        model.slug,
        root,
        "--version",
        "0.1.0",
        "--card",
        card,
        "--trained-on",
        "coco-demo@1.0.0",
    )
    assert code == 2 and "0.1.0" in err


def test_failing_checks_exit_1_with_the_issues(omi, setup, tmp_path):
    model, _ = setup
    root, card = folder(tmp_path)
    (root / "unet" / "model.safetensors").write_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00{oops")
    code, out, err = omi(
        "models",
        "upload",
        model.slug,
        root,
        "--version",
        "0.2.0",
        "--card",
        card,
        "--trained-on",
        "coco-demo@1.0.0",
    )
    assert code == 1, err
    assert "unet/model.safetensors" in out and "not JSON" in out and "gate: closed" in out
