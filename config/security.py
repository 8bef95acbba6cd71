"""The Content Security Policy, sent on every response.

A small middleware rather than django-csp: the policy is one fixed string with no nonces (no page
has an inline script), so a dependency would add settings and nothing else. Override it whole with
the ``CONTENT_SECURITY_POLICY`` variable (an empty value keeps this default).

- ``script-src 'self'``: scripts only from our static files; no inline scripts, no inline event
  handlers, no ``eval`` (htmx is told not to need it: ``templates/base.html`` sets
  ``htmx-config``).
- ``style-src-elem 'self'``: style sheets only from our static files; ``style-src-attr
  'unsafe-inline'`` keeps ``style=""`` attributes (bar widths of the server-rendered charts), which
  cannot run code.
- ``img-src 'self' data:``: images from this site only; Markdown images from other hosts are
  turned into links by ``config.markdown`` (a tracking pixel in a proposal would otherwise see
  every reader).
- ``frame-ancestors 'none'``, ``form-action 'self'``, ``base-uri 'self'``, ``object-src 'none'``.

One exception: Swagger UI (``/api/docs/``, third-party) inserts ``<style>`` elements as it
renders, so that page alone also allows inline style elements. Its scripts are still ours only
(drf-spectacular's split view serves its start-up script as a file).
"""

from django.conf import settings

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


INLINE_STYLE_PATHS = ("/api/docs/",)


def policy(path: str = "/") -> str:
    configured = getattr(settings, "CONTENT_SECURITY_POLICY", "")
    if configured:
        return configured
    if path.startswith(INLINE_STYLE_PATHS):
        return DEFAULT_POLICY.replace(
            "style-src-elem 'self'", "style-src-elem 'self' 'unsafe-inline'"
        )
    return DEFAULT_POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy(request.path))
        return response
