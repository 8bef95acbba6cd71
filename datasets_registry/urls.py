from django.urls import path

from . import views

app_name = "datasets_registry"

# Version labels may contain dots and plus signs: match anything but a slash.
V = "<str:version>"

urlpatterns = [
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
    path(
        "datasets/<slug:slug>/maintainers/", views.dataset_maintainers, name="dataset_maintainers"
    ),
    path("datasets/<slug:slug>/versions/new/", views.version_create, name="version_create"),
    path(f"datasets/<slug:slug>/versions/{V}/", views.version_detail, name="version_detail"),
    path(
        f"datasets/<slug:slug>/versions/{V}/download/",
        views.version_download,
        name="version_download",
    ),
    path(
        f"datasets/<slug:slug>/versions/{V}/croissant.json",
        views.version_croissant,
        name="version_croissant",
    ),
    path(
        f"datasets/<slug:slug>/versions/{V}/propose/",
        views.version_propose,
        name="version_propose",
    ),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/new/", views.standard_create, name="standard_create"),
    path("standards/<slug:slug>/", views.standard_detail, name="standard_detail"),
    path("standards/<slug:slug>/diff/", views.standard_diff, name="standard_diff"),
    path(
        "standards/<slug:slug>/versions/new/",
        views.standard_version_create,
        name="standard_version_create",
    ),
    path(
        f"standards/<slug:slug>/versions/{V}/",
        views.standard_version_detail,
        name="standard_version",
    ),
    path(
        f"standards/<slug:slug>/versions/{V}/edit/",
        views.standard_version_edit,
        name="standard_version_edit",
    ),
    path(
        f"standards/<slug:slug>/versions/{V}/propose/",
        views.standard_version_propose,
        name="standard_version_propose",
    ),
    path(
        f"standards/<slug:slug>/versions/{V}/reopen/",
        views.standard_version_reopen,
        name="standard_version_reopen",
    ),
]
