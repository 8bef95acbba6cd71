from django.urls import path

from . import api
from .models import SubjectType

G = "groups/<slug:slug>/webhooks/"
S = "webhooks/"

urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="api-notification-list"),
    path("notifications/read/", api.NotificationRead.as_view(), name="api-notification-read"),
    path(
        "notifications/preferences/",
        api.Preferences.as_view(),
        name="api-notification-preferences",
    ),
    path("groups/<slug:slug>/follow/", api.follow_view(SubjectType.GROUP), name="api-follow-group"),
    path(
        "groups/<slug:slug>/proposals/<int:number>/follow/",
        api.follow_view(SubjectType.PROPOSAL),
        name="api-follow-proposal",
    ),
    path(
        "datasets/<slug:slug>/follow/",
        api.follow_view(SubjectType.DATASET),
        name="api-follow-dataset",
    ),
    path(
        "surveys/<slug:slug>/follow/", api.follow_view(SubjectType.SURVEY), name="api-follow-survey"
    ),
    path(
        "standards/<slug:slug>/follow/",
        api.follow_view(SubjectType.STANDARD),
        name="api-follow-standard",
    ),
    path(G, api.WebhookList.as_view(), name="api-group-webhooks"),
    path(G + "<int:pk>/", api.WebhookDetail.as_view(), name="api-group-webhook"),
    path(
        G + "<int:pk>/deliveries/",
        api.WebhookDeliveries.as_view(),
        name="api-group-webhook-deliveries",
    ),
    path(G + "<int:pk>/test/", api.WebhookTest.as_view(), name="api-group-webhook-test"),
    path(S, api.WebhookList.as_view(), name="api-webhooks"),
    path(S + "<int:pk>/", api.WebhookDetail.as_view(), name="api-webhook"),
    path(
        S + "<int:pk>/deliveries/", api.WebhookDeliveries.as_view(), name="api-webhook-deliveries"
    ),
    path(S + "<int:pk>/test/", api.WebhookTest.as_view(), name="api-webhook-test"),
]
