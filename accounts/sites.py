"""django.contrib.sites' one row follows ``SITE_NAME`` and ``SITE_URL``.

allauth builds its e-mails (confirmation, password reset, "already registered") from the current
``Site``, which Django creates as "example.com". The row is brought in line with the settings after
every ``migrate`` (each deploy runs it), so the mails name the real site and domain.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_domain() -> str:
    """``SITE_URL``'s host and port: ``commons.example.org``, ``localhost:8000``."""
    return urlsplit(settings.SITE_URL).netloc or "localhost"


def sync_site(**_kwargs) -> None:
    """Make the ``SITE_ID`` row say ``SITE_NAME`` at ``site_domain()``; a no-op when it does."""
    from django.contrib.sites.models import SITE_CACHE, Site

    domain, name = site_domain(), settings.SITE_NAME
    site, created = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": name}
    )
    if not created and (site.domain, site.name) != (domain, name):
        site.domain, site.name = domain, name
        site.save(update_fields=["domain", "name"])
    SITE_CACHE.clear()
