import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets_registry.validation.models import ValidationRun
from governance.models import Membership, WorkingGroup
from models_registry import services
from models_registry.bootstrap import ensure_omi_model_card
from tests.factories import UserFactory
from tests.registry.factories import DatasetVersionFactory

from .helpers import CARD, weights


@pytest.fixture
def model_card(db):
    return ensure_omi_model_card()


@pytest.fixture
def group(db):
    return WorkingGroup.objects.create(slug="model-training", name="Model Training")


@pytest.fixture
def chair(group):
    person = UserFactory(username="chair")
    Membership.objects.create(user=person, group=group, role="chair", status="active")
    return person


@pytest.fixture
def committers(group):
    people = [UserFactory(username=f"committer{i}") for i in range(2)]
    for person in people:
        Membership.objects.create(user=person, group=group, role="committer", status="active")
    return people


@pytest.fixture
def maintainer(group):
    person = UserFactory(username="maintainer")
    Membership.objects.create(user=person, group=group, role="contributor", status="active")
    return person


def passed(version):
    ValidationRun.objects.create(
        version=version,
        status=ValidationRun.Status.SUCCEEDED,
        dataset_sha256=version.sha256,
        engine_version="test",
        counts={"by_severity": {"error": 0, "warning": 1}},
    )
    return version


@pytest.fixture
def dataset_version(db):
    return passed(DatasetVersionFactory(dataset__slug="coco-demo", version="1.0.0"))


@pytest.fixture
def model(model_card, maintainer, group):
    return services.model_create(
        actor=maintainer,
        name="OMI Alpha",
        summary="The alpha.",
        license="CDLA-Permissive-2.0",
        group=group,
        standard=f"{model_card.ref}",
    )


def training(dv):
    return json.dumps([{"dataset": dv.dataset.slug, "version": dv.version, "sha256": dv.sha256}])


def upload(name: str, data: bytes):
    import hashlib

    f = SimpleUploadedFile(name, data)
    f.sha256 = hashlib.sha256(data).hexdigest()
    return f


def register(model, actor, dv, *, version="0.1.0-alpha.1", weights_bytes=None, **extra):
    files = extra.pop(
        "files",
        [
            services.IncomingFile(
                path="unet/model.safetensors",
                role="weights",
                upload=upload("model.safetensors", weights_bytes or weights()),
            ),
            services.IncomingFile(
                path="scripts/finetune.py",
                role="finetune_script",
                upload=upload("finetune.py", b"print('tune')\n"),
            ),
        ],
    )
    return services.version_register(
        model=model,
        actor=actor,
        version=version,
        card=json.dumps(CARD),
        training_data=training(dv),
        files=files,
        **extra,
    )
