from types import SimpleNamespace

import pytest

from datasets_registry.models import Dataset, MetadataStandard
from governance import services as gov
from governance.models import Membership
from tests.factories import UserFactory
from tests.governance.factories import WorkingGroupFactory, in_discussion, member
from tests.registry.factories import DatasetFactory
from tests.surveys.factories import make_survey


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """One thing of every kind mentioning "zebrafish", plus things that must never be found:
    a private dataset, a draft survey, a hidden comment."""
    group = WorkingGroupFactory(slug="zebra-wg", name="Zebrafish imaging", charter="We study.")
    chair = member(group, Membership.Role.CHAIR, "chair", display_name="Chair Person")
    author = member(
        group,
        Membership.Role.CONTRIBUTOR,
        "zoe",
        display_name="Zoe Zed",
        bio="I photograph zebrafish.",
    )
    stranger = UserFactory(username="stranger")
    proposal = in_discussion(group, author, title="Caption the zebrafish set", body="Plan.")
    comment = gov.comment_add(proposal=proposal, author=chair, body="Zebrafish need captions.")
    hidden = gov.comment_add(proposal=proposal, author=author, body="Secret zebrafish gossip.")
    gov.comment_hide(comment=hidden, actor=chair, reason="off topic")
    public = DatasetFactory(slug="zf-public", name="Zebrafish public", owner=author)
    private = DatasetFactory(
        slug="zf-private",
        name="Zebrafish private",
        owner=author,
        visibility=Dataset.Visibility.PRIVATE,
    )
    survey = make_survey(actor=chair, slug="zf-survey", title="Zebrafish survey", group="zebra-wg")
    draft_survey = make_survey(
        actor=chair, open=False, slug="zf-draft", title="Zebrafish draft survey", group="zebra-wg"
    )
    standard = MetadataStandard.objects.create(
        slug="zf-standard", name="Zebrafish card", group=group, description="Fields."
    )
    return SimpleNamespace(**locals())
