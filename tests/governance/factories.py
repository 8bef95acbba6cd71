"""Factories and small builders for governance tests. Writes go through the services, as in
production, so the ledger is always complete."""

from datetime import timedelta

import factory
from django.utils import timezone

from governance import services
from governance.models import GroupSettings, Membership, Proposal, WorkingGroup
from tests.factories import UserFactory


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"group-{n}")
    name = factory.LazyAttribute(lambda g: g.slug.replace("-", " ").title())
    charter = "A **test** group."
    join_policy = WorkingGroup.JoinPolicy.APPROVAL

    @factory.post_generation
    def with_settings(self, create, extracted, **kwargs):
        if create:
            GroupSettings.objects.get_or_create(group=self)


def member(group: WorkingGroup, role: str, username: str | None = None, **user_kwargs):
    user = UserFactory(username=username, **user_kwargs) if username else UserFactory(**user_kwargs)
    services.membership_grant(group=group, user=user, role=role, reason="test")
    return user


def draft(group, author, *, title="A proposal", body="Some **text**.", kind="general", **extra):
    return services.proposal_create(
        group=group,
        author=author,
        kind=kind,
        title=title,
        summary="Summary.",
        body=body,
        **extra,
    )


def in_discussion(group, author, **kwargs) -> Proposal:
    p = draft(group, author, **kwargs)
    return services.proposal_to_discussion(proposal=p, actor=author)


def in_voting(group, author, chair, *, closes_in=timedelta(days=1), **kwargs) -> Proposal:
    p = in_discussion(group, author, **kwargs)
    return services.proposal_open_voting(
        proposal=p, actor=chair, closes_at=timezone.now() + closes_in
    )


def make_due(proposal: Proposal) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1)
    )
    proposal.refresh_from_db()
    return proposal


__all__ = ["Membership", "UserFactory"]
