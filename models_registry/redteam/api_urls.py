from django.urls import path

from . import api

urlpatterns = [
    path(
        "models/<slug:slug>/versions/<str:version>/campaigns/",
        api.CampaignListCreate.as_view(),
        name="api-campaign-list",
    ),
    path("campaigns/<int:pk>/", api.CampaignDetail.as_view(), name="api-campaign-detail"),
    path("campaigns/<int:pk>/close/", api.CampaignClose.as_view(), name="api-campaign-close"),
    path(
        "campaigns/<int:pk>/invitations/",
        api.InvitationCreate.as_view(),
        name="api-campaign-invite",
    ),
    path(
        "campaigns/<int:pk>/invitations/accept/",
        api.InvitationAccept.as_view(),
        name="api-campaign-accept",
    ),
    path("campaigns/<int:pk>/findings/", api.FindingListCreate.as_view(), name="api-finding-list"),
    path("findings/<int:pk>/", api.FindingDetail.as_view(), name="api-finding-detail"),
    path(
        "findings/<int:pk>/transitions/",
        api.FindingTransition.as_view(),
        name="api-finding-transition",
    ),
    path("findings/<int:pk>/avid.json", api.FindingAvid.as_view(), name="api-finding-avid"),
    path(
        "findings/<int:pk>/evidence/<int:evidence>/",
        api.EvidenceFile.as_view(),
        name="api-finding-evidence",
    ),
]
