from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.language import set_language

from . import api, views

api_v1 = [
    path("", api.api_root, name="api-root"),
    path("", include("accounts.api_urls")),
    path("", include("governance.api_urls")),
    path("", include("surveys.api_urls")),
    path("", include("datasets_registry.api_urls")),
    path("", include("models_registry.api_urls")),
    path("", include("models_registry.redteam.api_urls")),
    path("", include("datasets_registry.validation.api_urls")),
    path("uploads/", include("datasets_registry.resumable.urls")),
    path("", include("notifications.api_urls")),
    path("", include("discovery.api_urls")),
    path("", include("transparency.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("markdown/preview/", views.markdown_preview, name="markdown-preview"),
    path("i18n/setlang/", set_language, name="set_language"),
    # The scripts' messages (static/js) in the page's language: the djangojs catalogues.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("governance.urls")),
    path("", include("surveys.urls")),
    path("", include("datasets_registry.urls")),
    path("", include("datasets_registry.validation.urls")),
    path("", include("models_registry.urls")),
    path("", include("models_registry.redteam.urls")),
    path("", include("notifications.urls")),
    path("", include("discovery.urls")),
    path("", include("transparency.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
