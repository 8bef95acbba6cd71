from django.urls import path

from . import views

app_name = "models_registry"

V = "<str:version>"

urlpatterns = [
    path("models/", views.model_list, name="model_list"),
    path("models/<slug:slug>/", views.model_detail, name="model_detail"),
    path("models/<slug:slug>/versions/new/", views.version_create, name="version_create"),
    path(f"models/<slug:slug>/versions/{V}/", views.version_detail, name="version_detail"),
    path(
        f"models/<slug:slug>/versions/{V}/release/",
        views.version_propose_release,
        name="version_propose_release",
    ),
]
