from django.urls import path

from . import views

app_name = "discovery"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("people/<str:username>/", views.profile, name="profile"),
    path("me/", views.my_work, name="my_work"),
]
