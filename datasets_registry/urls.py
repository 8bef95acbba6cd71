app_name = "datasets_registry"
urlpatterns: list = []
