"""What the home page shows: each app contributes a panel of what is happening now."""

from django.http import HttpRequest

# Each entry names a function ``(request) -> dict`` in an app's selectors. Apps stay independent:
# the home page knows their names, they know nothing of the home page.
PANEL_SOURCES = (
    "governance.selectors.home_panel",
    "surveys.selectors.home_panel",
    "datasets_registry.selectors.home_panel",
)


def collect(request: HttpRequest) -> dict:
    from django.utils.module_loading import import_string

    context: dict = {}
    for dotted in PANEL_SOURCES:
        context.update(import_string(dotted)(request))
    return context
