from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [
    path("log/", views.log_list, name="log"),
    path("log/<int:seq>/", views.log_entry, name="entry"),
]
