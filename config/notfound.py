"""The site's own 404 page with ``DEBUG`` on too (issue 16, defect 20).

With ``DEBUG`` on, Django answers a missing page with its technical page, which lists every URL
pattern: what a developer debugging routes wants, not what someone trying the demo should see.
This middleware puts the site's 404 page (``config.views.page_not_found``, JSON for the API) in
its place unless a developer asks for the technical one with ``DEBUG_404=1``. With ``DEBUG`` off
it does nothing: Django already uses ``handler404``.
"""

from django.conf import settings

# Django's technical 404 page says this; the site's own never does.
TECHNICAL_MARK = b"because you have <code>DEBUG = True</code>"


class SiteNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not getattr(settings, "DEBUG_404", False)
            and not getattr(response, "streaming", False)
            and TECHNICAL_MARK in response.content
        ):
            from config.views import page_not_found

            return page_not_found(request)
        return response
