from datetime import timedelta

import pytest
from django.utils import timezone

from datasets_registry.bootstrap import ensure_omi_dataset_card
from governance.models import Membership
from tests.factories import UserFactory


@pytest.fixture
def card(db):
    """OMI Dataset Card 1.0.0, adopted (present after migrations; recreated after a flush)."""
    return ensure_omi_dataset_card()


@pytest.fixture
def chair(card):
    """A chair of the group that owns the card (and so edits its drafts)."""
    person = UserFactory(username="chair")
    Membership.objects.create(user=person, group=card.standard.group, role="chair", status="active")
    return person


@pytest.fixture
def committers(card):
    people = [UserFactory(username=f"committer{i}") for i in range(3)]
    for person in people:
        Membership.objects.create(
            user=person, group=card.standard.group, role="committer", status="active"
        )
    return people


def vote_and_close(proposal, chair, committers, choice, author=None):
    """Take ``proposal`` through discussion and a vote of ``chair`` and ``committers``."""
    from governance import services as gov

    gov.proposal_to_discussion(proposal=proposal, actor=author or chair)
    gov.proposal_open_voting(
        proposal=proposal, actor=chair, closes_at=timezone.now() + timedelta(days=1)
    )
    for voter in [chair, *committers]:
        gov.vote_cast(proposal=proposal, voter=voter, choice=choice)
    return gov.proposal_close(proposal=proposal, now=timezone.now() + timedelta(days=2))
