"""A URL that publishes to a broker at a closed port, for the outage tests."""

from django.http import HttpResponse
from django.urls import include, path
from kombu import Connection


def publish(request):
    with Connection("redis://127.0.0.1:1/0", connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
        conn.default_channel.basic_publish(b"x", exchange="", routing_key="celery")
    return HttpResponse("sent")


urlpatterns = [
    path("publish/", publish),
    path("api/v1/publish/", publish),
    path("", include("config.urls")),
]
