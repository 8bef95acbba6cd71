# ruff: noqa: F811  (the models registry's fixtures, imported and used as parameters)
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Membership
from models_registry.redteam import services
from tests.factories import UserFactory
from tests.models_registry.conftest import (  # noqa: F401  (fixtures)
    chair,
    committers,
    dataset_version,
    group,
    maintainer,
    model,
    model_card,
    register,
)


@pytest.fixture
def version(model, maintainer, dataset_version):
    return register(model, maintainer, dataset_version)


@pytest.fixture
def triager(db):
    return UserFactory(username="triager")


@pytest.fixture
def reporter(db):
    return UserFactory(username="reporter")


@pytest.fixture
def other_participant(db):
    return UserFactory(username="other")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def member(group):
    person = UserFactory(username="member")
    Membership.objects.create(user=person, group=group, role="committer", status="active")
    return person


@pytest.fixture
def campaign(version, chair, triager, reporter, other_participant):
    now = timezone.now()
    campaign = services.campaign_create(
        actor=chair,
        version=version,
        title="Alpha red team",
        scope="Everything the model draws.",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=7),
        participation="invited",
        triagers=["triager"],
    )
    for person in (reporter, other_participant):
        services.invite(actor=chair, campaign=campaign, username=person.username)
        services.accept(user=person, campaign=campaign)
    return campaign


FINDING = {
    "title": "Filter bypass with misspelt words",
    "category": "filter_bypass",
    "severity": "high",
    "description": "Misspelling the blocked word draws it anyway. Naïve filter.",
    "reproduction": {
        "prompt": "a phot of a blokked thing",
        "negative_prompt": "blurry",
        "seed": 1234,
        "sampler": "euler_a",
        "steps": 30,
        "guidance_scale": 7.5,
        "width": 1024,
        "height": 1024,
        "extra": {"scheduler": "karras"},
    },
}


def file(campaign, reporter, **changes):
    return services.finding_file(actor=reporter, campaign=campaign, data={**FINDING, **changes})
