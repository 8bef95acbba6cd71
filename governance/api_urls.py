from django.urls import path

from . import api

P = "groups/<slug:slug>/proposals/<int:number>/"

urlpatterns = [
    path("groups/", api.GroupList.as_view(), name="api-group-list"),
    path("groups/<slug:slug>/", api.GroupDetail.as_view(), name="api-group-detail"),
    path("groups/<slug:slug>/join/", api.GroupJoin.as_view(), name="api-group-join"),
    path(
        "groups/<slug:slug>/proposals/",
        api.ProposalListCreate.as_view(),
        name="api-proposal-list",
    ),
    path(P, api.ProposalDetail.as_view(), name="api-proposal-detail"),
    path(P + "transitions/", api.ProposalTransition.as_view(), name="api-proposal-transitions"),
    path(P + "votes/", api.ProposalVotes.as_view(), name="api-proposal-votes"),
    path(P + "decision/", api.ProposalDecision.as_view(), name="api-proposal-decision"),
    path("ledger/", api.Ledger.as_view(), name="api-ledger"),
]
