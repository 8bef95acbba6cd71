from rest_framework.routers import SimpleRouter

from .api import SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="api-survey")
urlpatterns = router.urls
