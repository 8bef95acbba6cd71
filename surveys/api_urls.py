from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .api import SurveyExportView, SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="api-survey")
urlpatterns = [
    re_path(
        r"^surveys/(?P<slug>[-\w]+)/export\.(?P<fmt>csv|json|xlsx|codebook\.csv)$",
        SurveyExportView.as_view(),
        name="api-survey-export",
    ),
    *router.urls,
]
