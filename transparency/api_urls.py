from django.urls import path

from . import api

urlpatterns = [
    path("log/checkpoint", api.CheckpointLatest.as_view(), name="api-log-checkpoint"),
    path("log/key", api.LogKey.as_view(), name="api-log-key"),
    path("log/entries/", api.Entries.as_view(), name="api-log-entries"),
    path("log/proof/inclusion/", api.InclusionProof.as_view(), name="api-log-inclusion"),
    path("log/proof/consistency/", api.ConsistencyProof.as_view(), name="api-log-consistency"),
    path("log/checkpoints/", api.CheckpointBySize.as_view(), name="api-log-checkpoints"),
    path("log/cosignatures/", api.Cosignatures.as_view(), name="api-log-cosignatures"),
]
