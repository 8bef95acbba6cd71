from django.urls import path

from . import api

V = "<str:version>"

urlpatterns = [
    path("models/", api.ModelListCreate.as_view(), name="api-model-list"),
    path("models/<slug:slug>/", api.ModelDetail.as_view(), name="api-model-detail"),
    path(
        "models/<slug:slug>/versions/",
        api.ModelVersionListCreate.as_view(),
        name="api-model-version-list",
    ),
    path(
        f"models/<slug:slug>/versions/{V}/",
        api.ModelVersionDetail.as_view(),
        name="api-model-version-detail",
    ),
    path(
        f"models/<slug:slug>/versions/{V}/card.md",
        api.ModelVersionCard.as_view(),
        name="api-model-version-card",
    ),
    path(
        f"models/<slug:slug>/versions/{V}/files/<path:path>",
        api.ModelVersionFile.as_view(),
        name="api-model-version-file",
    ),
]
