from django.urls import path

from . import api

V = "datasets/<slug:slug>/versions/<str:version>/validation/"

urlpatterns = [
    path(V, api.ValidationView.as_view(), name="api-validation"),
    path(f"{V}issues/", api.IssuesView.as_view(), name="api-validation-issues"),
    path(f"{V}report.jsonl.gz", api.ReportView.as_view(), name="api-validation-report"),
]
