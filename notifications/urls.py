from django.urls import path

from . import feeds, views

app_name = "notifications"

G = "notifications/groups/<slug:slug>/webhooks/"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/follow/", views.follow, name="follow"),
    path("notifications/follow/button/", views.follow_button, name="follow_button"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/webhooks/", views.webhook_list, name="site_webhooks"),
    path("notifications/webhooks/<int:pk>/", views.webhook_detail, name="site_webhook"),
    path(
        "notifications/webhooks/<int:pk>/<str:action>/",
        views.webhook_action,
        name="site_webhook_action",
    ),
    path(G, views.webhook_list, name="group_webhooks"),
    path(G + "<int:pk>/", views.webhook_detail, name="group_webhook"),
    path(G + "<int:pk>/<str:action>/", views.webhook_action, name="group_webhook_action"),
    # Atom feeds (feeds.py), linked from the pages they mirror.
    path("feeds/log/", feeds.PublicLogFeed(), name="feed_log"),
    path("feeds/datasets/", feeds.DatasetsFeed(), name="feed_datasets"),
    path("feeds/surveys/", feeds.SurveysFeed(), name="feed_surveys"),
    path("feeds/groups/<slug:slug>/decisions/", feeds.DecisionsFeed(), name="feed_decisions"),
    path("feeds/groups/<slug:slug>/proposals/", feeds.ProposalsFeed(), name="feed_proposals"),
]
