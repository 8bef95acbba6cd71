from django.urls import path

from . import api

# Included under /api/v1/uploads/ (config/urls.py).
urlpatterns = [
    path("", api.UploadCollection.as_view(), name="api-upload-list"),
    path("<uuid:upload_id>/", api.UploadDetail.as_view(), name="api-upload-detail"),
]
