"""The governance API: thin views (input serializer → service → output serializer)."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import Invalid, NotFound
from config.pagination import CursorPagination

from . import selectors, services
from .filters import LedgerFilter
from .models import Decision, LedgerEntry, Membership, Proposal, Vote, WorkingGroup
from .serializers import (
    DecisionOutput,
    GroupDetailOutput,
    GroupOutput,
    LedgerEntryOutput,
    MembershipOutput,
    ProposalInput,
    ProposalOutput,
    ProposalPatchInput,
    ProposalTransitionInput,
    VoteInput,
    VoteOutput,
)


class BySlug(CursorPagination):
    ordering = "slug"


class ByNumber(CursorPagination):
    ordering = "-number"


class ByPk(CursorPagination):
    ordering = "pk"


class BySeq(CursorPagination):
    ordering = "seq"
    page_size = 200


def _groups():
    return WorkingGroup.objects.select_related("parent", "settings").annotate(
        member_count=Count(
            "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True
        )
    )


def _group(slug: str) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.select_related("settings"), slug=slug)


def _proposals(group: WorkingGroup):
    return (
        Proposal.objects.filter(group=group)
        .select_related("group__settings", "subject")
        .prefetch_related("authors")
    )


def _proposal(slug: str, number: int) -> Proposal:
    group = _group(slug)
    return get_object_or_404(_proposals(group), number=number)


class GroupList(generics.ListAPIView):
    """Working groups, with their member count and settings."""

    serializer_class = GroupOutput
    pagination_class = BySlug

    def get_queryset(self):
        return _groups()


class GroupDetail(generics.RetrieveAPIView):
    """A working group with its active members."""

    serializer_class = GroupDetailOutput
    lookup_field = "slug"

    def get_queryset(self):
        return _groups().prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user"))
        )


class GroupJoin(APIView):
    """Ask to join: open groups admit at once as an observer; others queue the request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: MembershipOutput})
    def post(self, request, slug: str):
        m = services.membership_request(group=_group(slug), user=request.user)
        return Response(MembershipOutput(m).data, status=status.HTTP_201_CREATED)


class ProposalListCreate(generics.ListCreateAPIView):
    """A group's proposals, newest first; POST opens a draft (contributors and above)."""

    serializer_class = ProposalOutput
    pagination_class = ByNumber
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return _proposals(_group(self.kwargs["slug"]))

    @extend_schema(request=ProposalInput, responses={201: ProposalOutput})
    def post(self, request, slug: str):
        group = _group(slug)
        data = ProposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        subject_name = values.pop("subject", "")
        subject = None
        if subject_name:
            subject = get_user_model().objects.filter(username=subject_name).first()
            if subject is None:
                raise Invalid(_("No such person."), errors={"subject": [_("Unknown username.")]})
        proposal = services.proposal_create(
            group=group, author=request.user, subject=subject, **values
        )
        proposal = _proposals(group).get(pk=proposal.pk)
        return Response(
            ProposalOutput(proposal, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ProposalDetail(APIView):
    """A proposal. PATCH (its authors, while draft or under discussion) makes a new revision."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=ProposalOutput)
    def get(self, request, slug: str, number: int):
        p = _proposal(slug, number)
        return Response(ProposalOutput(p, context={"request": request}).data)

    @extend_schema(request=ProposalPatchInput, responses=ProposalOutput)
    def patch(self, request, slug: str, number: int):
        p = _proposal(slug, number)
        data = ProposalPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        p = services.proposal_revise(
            proposal=p,
            actor=request.user,
            title=v.get("title", p.title),
            summary=v.get("summary", p.summary),
            body=v.get("body", p.body),
        )
        p = _proposal(slug, number)
        return Response(ProposalOutput(p, context={"request": request}).data)


class ProposalTransition(APIView):
    """Move a proposal: to discussion or withdrawn (its authors), to voting (a chair)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ProposalTransitionInput,
        responses={
            200: ProposalOutput,
            403: OpenApiResponse(description="Not allowed"),
            409: OpenApiResponse(description="Illegal transition"),
        },
    )
    def post(self, request, slug: str, number: int):
        p = _proposal(slug, number)
        data = ProposalTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.proposal_transition(
            proposal=p,
            actor=request.user,
            to=data.validated_data["to"],
            voting_closes_at=data.validated_data["voting_closes_at"],
        )
        p = _proposal(slug, number)
        return Response(ProposalOutput(p, context={"request": request}).data)


class ProposalVotes(generics.ListAPIView):
    """The votes (who voted; how and why, unless the group hides the running count until the
    close: then ``choice`` and ``reason`` are null except for my own). POST casts or replaces my
    vote."""

    serializer_class = VoteOutput
    pagination_class = ByPk

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Vote.objects.none()
        self.proposal = _proposal(self.kwargs["slug"], self.kwargs["number"])
        return Vote.objects.filter(proposal=self.proposal).select_related("voter", "revision")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        p = getattr(self, "proposal", None)
        context["hide_ballots"] = p is not None and selectors.ballots_hidden(p)
        return context

    @extend_schema(request=VoteInput, responses={200: VoteOutput, 201: VoteOutput})
    def post(self, request, slug: str, number: int):
        # The hot path: one query to find the proposal, the rest happens under its row lock.
        p = get_object_or_404(
            Proposal.objects.only("pk", "group_id", "number"), group__slug=slug, number=number
        )
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        vote, created = services.vote_cast(proposal=p, voter=request.user, **data.validated_data)
        return Response(
            VoteOutput(vote, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ProposalDecision(APIView):
    """The decision on a proposal; 404 until the vote has closed."""

    @extend_schema(responses={200: DecisionOutput, 404: OpenApiResponse(description="Not decided")})
    def get(self, request, slug: str, number: int):
        p = _proposal(slug, number)
        decision = (
            Decision.objects.select_related("proposal__group", "revision")
            .filter(proposal=p)
            .first()
        )
        if decision is None:
            raise NotFound(_("This proposal has not been decided."))
        return Response(DecisionOutput(decision, context={"request": request}).data)


class Ledger(generics.ListAPIView):
    """The public hash-chained ledger, oldest first. See docs/governance.md to verify it."""

    serializer_class = LedgerEntryOutput
    pagination_class = BySeq
    filterset_class = LedgerFilter

    def get_queryset(self):
        return LedgerEntry.objects.all()
