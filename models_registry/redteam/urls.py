from django.urls import path

from . import views

app_name = "redteam"

urlpatterns = [
    path(
        "models/<slug:slug>/versions/<str:version>/campaigns/",
        views.version_campaigns,
        name="version_campaigns",
    ),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/accept/", views.campaign_accept, name="campaign_accept"),
    path("campaigns/<int:pk>/findings/", views.finding_list, name="finding_list"),
    path("campaigns/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/transition/", views.finding_transition, name="finding_transition"),
    path("findings/<int:pk>/evidence/<int:evidence>/", views.evidence_file, name="evidence_file"),
]
