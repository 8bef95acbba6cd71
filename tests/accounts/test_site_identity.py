"""E-mails name the site from the settings (issue 16, defect 6): never Django's "example.com"."""

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.sites import site_domain, sync_site

pytestmark = pytest.mark.django_db


def test_the_site_row_follows_site_name_and_site_url(settings):
    site = Site.objects.get_current()  # as the test database's migrate left it
    assert (site.name, site.domain) == (settings.SITE_NAME, site_domain())
    settings.SITE_NAME, settings.SITE_URL = "Commons Test", "https://commons.test.org"
    sync_site()
    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Commons Test", "commons.test.org")


def test_migrate_renames_the_default_site(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(name="example.com", domain="example.com")
    settings.SITE_NAME, settings.SITE_URL = "Commons Test", "https://commons.test.org"
    call_command("migrate", "sites", verbosity=0)
    assert Site.objects.get(pk=settings.SITE_ID).domain == "commons.test.org"


def test_password_reset_mail_names_the_site(settings, user):
    settings.SITE_NAME, settings.SITE_URL = "Commons Test", "https://commons.test.org"
    Site.objects.filter(pk=settings.SITE_ID).update(name="example.com", domain="example.com")
    call_command("migrate", "sites", verbosity=0)
    response = Client().post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    text = message.subject + message.body
    assert "example.com" not in text
    assert "commons.test.org" in text
