from django.urls import path

from . import api

V = "<str:version>"

urlpatterns = [
    path("standards/", api.StandardList.as_view(), name="api-standard-list"),
    path("standards/<slug:slug>/", api.StandardDetail.as_view(), name="api-standard-detail"),
    path(
        f"standards/<slug:slug>/versions/{V}/",
        api.StandardVersionDetail.as_view(),
        name="api-standard-version",
    ),
    path("datasets/", api.DatasetListCreate.as_view(), name="api-dataset-list"),
    path("datasets/<slug:slug>/", api.DatasetDetail.as_view(), name="api-dataset-detail"),
    path(
        "datasets/<slug:slug>/versions/",
        api.DatasetVersionListCreate.as_view(),
        name="api-dataset-version-list",
    ),
    path(
        f"datasets/<slug:slug>/versions/{V}/",
        api.DatasetVersionDetail.as_view(),
        name="api-dataset-version-detail",
    ),
    path(
        f"datasets/<slug:slug>/versions/{V}/croissant/",
        api.DatasetVersionCroissant.as_view(),
        name="api-dataset-version-croissant",
    ),
    path(
        f"datasets/<slug:slug>/versions/{V}/download/",
        api.DatasetVersionDownload.as_view(),
        name="api-dataset-version-download",
    ),
]
