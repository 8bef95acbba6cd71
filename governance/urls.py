from django.urls import path

from . import views

app_name = "governance"

P = "groups/<slug:slug>/proposals/<int:number>/"

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/join/", views.group_join, name="group_join"),
    path("groups/<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("groups/<slug:slug>/settings/", views.group_settings, name="group_settings"),
    path("groups/<slug:slug>/activity/", views.group_activity, name="group_activity"),
    path(
        "groups/<slug:slug>/members/<int:pk>/<str:action>/",
        views.membership_action,
        name="membership_action",
    ),
    path("groups/<slug:slug>/proposals/new/", views.proposal_create, name="proposal_create"),
    path(P, views.proposal_detail, name="proposal_detail"),
    path(P + "edit/", views.proposal_edit, name="proposal_edit"),
    path(P + "revisions/", views.proposal_history, name="proposal_history"),
    path(P + "transition/", views.proposal_transition, name="proposal_transition"),
    path(P + "comments/", views.comment_add, name="comment_add"),
    path(P + "comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path(P + "comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path(P + "comments/<int:pk>/react/", views.comment_react, name="comment_react"),
    path(P + "vote/", views.vote, name="vote"),
    path(P + "decision/", views.decision_detail, name="decision_detail"),
]
