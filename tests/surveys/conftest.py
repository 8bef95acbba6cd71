import pytest

from governance.models import Membership
from tests.factories import UserFactory

from .factories import GroupFactory, MembershipFactory, make_survey


@pytest.fixture
def group(db):
    return GroupFactory(slug="steering-committee", name="Steering committee")


@pytest.fixture
def chair(group):
    person = UserFactory(username="chair")
    MembershipFactory(user=person, group=group, role=Membership.Role.CHAIR)
    return person


@pytest.fixture
def member(group):
    person = UserFactory(username="member")
    MembershipFactory(user=person, group=group, role=Membership.Role.CONTRIBUTOR)
    return person


@pytest.fixture
def survey(staff_user):
    """An open, anonymous survey with every question kind (see factories.BASIC)."""
    return make_survey(actor=staff_user)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Tests create hundreds of people; hashing their passwords properly would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
