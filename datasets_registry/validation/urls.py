from django.urls import path

from . import views

app_name = "validation"

V = "datasets/<slug:slug>/versions/<str:version>/validation/"

urlpatterns = [
    path("validation/runs/<int:pk>/panel/", views.panel, name="panel"),
    path("validation/runs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path(f"{V}revalidate/", views.revalidate, name="revalidate"),
    path(f"{V}issues/", views.issues, name="issues"),
]
