"""What the home page shows: each app contributes a panel of what is happening now."""

import inspect

from django.http import HttpRequest
from django.utils.module_loading import import_string

# Each entry names a function in an app's selectors that returns the context its panel adds.
# Apps stay independent: the home page knows their names, they know nothing of the home page.
PANEL_SOURCES = (
    "governance.selectors.home_panel",
    "surveys.selectors.home_panel",
    "datasets_registry.selectors.home_panel",
)


def _arguments(request: HttpRequest) -> dict:
    """What a panel may ask for, by keyword: a panel declares the ones it uses and gets only
    those (a panel of public things takes nothing)."""
    return {"user": request.user}


def collect(request: HttpRequest) -> dict:
    available = _arguments(request)
    context: dict = {}
    for dotted in PANEL_SOURCES:
        panel = import_string(dotted)
        wanted = inspect.signature(panel).parameters
        unknown = set(wanted) - set(available)
        if unknown:
            raise TypeError(
                f"{dotted} asks for {', '.join(sorted(unknown))}; a home panel may take "
                f"{', '.join(sorted(available))}."
            )
        context.update(panel(**{name: available[name] for name in wanted}))
    return context
