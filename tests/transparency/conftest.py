import sys
from pathlib import Path

import pytest

CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"
if str(CLIENT_SRC) not in sys.path:
    sys.path.insert(0, str(CLIENT_SRC))


@pytest.fixture(autouse=True)
def _log_key(settings, tmp_path):
    """Each test signs with a fresh key of its own, under DATA_DIR of its own."""
    from transparency import checkpoints

    settings.DATA_DIR = tmp_path
    settings.LOG_SIGNING_KEY = ""
    settings.LOG_ORIGIN = "commons.test/log"
    settings.LOG_CHECKPOINT_INTERVAL = 0
    checkpoints._key.cache_clear()
    yield
    checkpoints._key.cache_clear()


@pytest.fixture
def decided(transactional_db):
    """A group's proposal voted and decided (public ballots), and a few more entries."""
    from governance import services
    from governance.models import Membership
    from tests.factories import UserFactory
    from tests.governance.factories import WorkingGroupFactory, in_voting, make_due, member

    group = WorkingGroupFactory(slug="wg", name="Test Group")
    chair = member(group, Membership.Role.CHAIR, "chair")
    committers = [member(group, Membership.Role.COMMITTER, f"c{i}") for i in (1, 2)]
    author = member(group, Membership.Role.CONTRIBUTOR, "author")
    p = in_voting(group, author, chair)
    services.vote_cast(proposal=p, voter=chair, choice="yes", reason="fine")
    services.vote_cast(proposal=p, voter=committers[0], choice="no", reason="not yet")
    services.vote_cast(proposal=p, voter=committers[1], choice="yes")
    decision = services.proposal_close(proposal=make_due(p))
    UserFactory(username="bystander")
    return decision
