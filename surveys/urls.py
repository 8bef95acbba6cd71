from django.urls import path, re_path

from . import views

app_name = "surveys"
urlpatterns = [
    path("surveys/", views.survey_list, name="list"),
    path("surveys/new/", views.survey_create, name="create"),
    path("surveys/import/", views.survey_import, name="import"),
    path("surveys/<slug:slug>/", views.survey_detail, name="detail"),
    path("surveys/<slug:slug>/edit/", views.survey_edit, name="edit"),
    path("surveys/<slug:slug>/edit/questions/", views.question_add, name="question_add"),
    path("surveys/<slug:slug>/edit/sections/", views.section_add, name="section_add"),
    path("surveys/<slug:slug>/edit/schedule/", views.survey_reschedule, name="reschedule"),
    path(
        "surveys/<slug:slug>/edit/questions/<slug:key>/", views.question_edit, name="question_edit"
    ),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/edit/questions/(?P<key>[-\w]+)/(?P<action>delete|up|down)/$",
        views.question_action,
        name="question_action",
    ),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/edit/sections/(?P<index>[0-9]+)/(?P<action>save|delete)/$",
        views.section_action,
        name="section_action",
    ),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/(?P<action>open|close|new-version)/$",
        views.survey_transition,
        name="transition",
    ),
    path("surveys/<slug:slug>/preview/", views.survey_preview, name="preview"),
    path("surveys/<slug:slug>/answer/", views.survey_answer, name="answer"),
    path("surveys/<slug:slug>/results/", views.survey_results, name="results"),
    path("surveys/<slug:slug>/definition.json", views.survey_definition, name="definition"),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/export\.(?P<fmt>csv|json|xlsx|codebook\.csv)$",
        views.survey_export,
        name="export",
    ),
]
