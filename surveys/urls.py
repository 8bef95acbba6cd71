from django.urls import path, re_path

from .views import answer, editor, results, survey

app_name = "surveys"
urlpatterns = [
    path("surveys/", survey.survey_list, name="list"),
    path("surveys/new/", editor.survey_create, name="create"),
    path("surveys/import/", editor.survey_import, name="import"),
    path("surveys/<slug:slug>/", survey.survey_detail, name="detail"),
    path("surveys/<slug:slug>/edit/", editor.survey_edit, name="edit"),
    path("surveys/<slug:slug>/edit/questions/", editor.question_add, name="question_add"),
    path("surveys/<slug:slug>/edit/sections/", editor.section_add, name="section_add"),
    path("surveys/<slug:slug>/edit/schedule/", editor.survey_reschedule, name="reschedule"),
    path(
        "surveys/<slug:slug>/edit/questions/<slug:key>/",
        editor.question_edit,
        name="question_edit",
    ),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/edit/questions/(?P<key>[-\w]+)/(?P<action>delete|up|down)/$",
        editor.question_action,
        name="question_action",
    ),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/edit/sections/(?P<index>[0-9]+)/(?P<action>save|delete)/$",
        editor.section_action,
        name="section_action",
    ),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/(?P<action>open|close|new-version)/$",
        editor.survey_transition,
        name="transition",
    ),
    path("surveys/<slug:slug>/preview/", answer.survey_preview, name="preview"),
    path("surveys/<slug:slug>/answer/", answer.survey_answer, name="answer"),
    path("surveys/<slug:slug>/results/", results.survey_results, name="results"),
    path("surveys/<slug:slug>/definition.json", survey.survey_definition, name="definition"),
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/export\.(?P<fmt>csv|json|xlsx|codebook\.csv)$",
        results.survey_export,
        name="export",
    ),
]
