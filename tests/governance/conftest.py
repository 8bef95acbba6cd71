from types import SimpleNamespace

import pytest

from config import events
from governance.models import Membership
from tests.factories import UserFactory

from .factories import WorkingGroupFactory, member


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Each fixture creates several people; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_target_checkers():
    """Governance's own tests target made-up artifacts; the registry's checker (which looks the
    artifact up) is tested with the registry. Tests that need a checker register their own."""
    from datasets_registry.apps import check_proposal_target

    events.unsubscribe(check_proposal_target)
    yield
    events.in_transaction("proposal.created")(check_proposal_target)


@pytest.fixture
def gov(db):
    """A working group with a chair, three committers, a contributor, an observer and an
    outsider (not a member)."""
    group = WorkingGroupFactory(slug="wg", name="Test Group")
    return SimpleNamespace(
        group=group,
        chair=member(group, Membership.Role.CHAIR, "chair"),
        committers=[member(group, Membership.Role.COMMITTER, f"committer{i}") for i in (1, 2, 3)],
        contributor=member(group, Membership.Role.CONTRIBUTOR, "contributor"),
        observer=member(group, Membership.Role.OBSERVER, "observer"),
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture
def locmem_cache(settings):
    """Query counts must not depend on which cache backend the run uses (the DB cache adds
    queries for throttling)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
