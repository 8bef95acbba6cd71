"""Webhooks: bodies, signatures, retries with one delivery id, disabling, and SSRF refusals."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import secrets, services, tasks
from notifications.channels import webhooks as channel
from notifications.models import Delivery, DeliveryAttempt, Notification, Webhook
from tests.governance.factories import in_discussion, in_voting


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


def make_hook(gov, url, *, fmt="generic", events_=("vote.*", "proposal.*"), secret="s" * 32):
    hook, shown = services.webhook_create(
        actor=gov.chair, group=gov.group, url=url, format=fmt, events_=list(events_), secret=secret
    )
    return hook, shown


def test_a_vote_opening_reaches_the_groups_webhook_signed(gov, live, receiver, allow_private):
    _hook, secret = make_hook(gov, receiver.url)
    with live():
        p = in_voting(gov.group, gov.contributor, gov.chair)
    # proposal.created, proposal.discussion_opened, vote.opened: one POST each.
    assert [r["headers"]["X-OMI-Event"] for r in receiver.requests] == [
        "proposal.created",
        "proposal.discussion_opened",
        "vote.opened",
    ]
    request = receiver.requests[-1]
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-OMI-Signature-256"] == expected
    body = json.loads(request["body"])
    assert set(body) == {"event", "delivery", "created_at", "group", "url", "data"}
    assert body["event"] == "vote.opened" and body["group"] == "wg"
    assert body["url"].endswith(f"/groups/wg/proposals/{p.number}/")
    assert body["data"]["roll"] == ["chair", "committer1", "committer2", "committer3"]
    assert request["headers"]["X-OMI-Delivery"] == body["delivery"]
    delivery = Delivery.objects.get(event="vote.opened")
    assert delivery.status == "succeeded" and str(delivery.delivery) == body["delivery"]
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code == 200 and attempt.duration_ms is not None and attempt.error == ""


def test_discord_and_slack_bodies(gov, live, receiver, allow_private):
    make_hook(gov, receiver.url, fmt="discord", events_=["proposal.created"])
    make_hook(gov, receiver.url, fmt="slack", events_=["proposal.created"])
    with live():
        p = in_discussion(gov.group, gov.contributor, title="Use <b>bold</b> & @everyone")
    discord, slack = (json.loads(r["body"]) for r in receiver.requests[:2])
    if "text" in discord:
        discord, slack = slack, discord
    assert discord["allowed_mentions"] == {"parse": []}
    assert discord["embeds"][0]["title"].startswith("New proposal in Test Group")
    assert discord["embeds"][0]["url"].endswith(f"/groups/wg/proposals/{p.number}/")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; @everyone" in slack["text"]
    assert slack["text"].startswith("<http")


def test_a_failing_receiver_is_retried_with_the_same_delivery_id_and_never_twice(
    gov, receiver, allow_private
):
    receiver.statuses = [500, 502, 200]
    hook, _ = make_hook(gov, receiver.url)
    delivery = services.webhook_send_test(webhook=hook, actor=gov.chair)
    assert services.delivery_attempt(delivery_id=delivery.pk) is not None  # retry later
    assert services.delivery_attempt(delivery_id=delivery.pk) is not None
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # succeeded
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # nothing more to do
    assert len(receiver.requests) == 3
    ids = {r["headers"]["X-OMI-Delivery"] for r in receiver.requests}
    bodies = {r["body"] for r in receiver.requests}
    assert ids == {str(delivery.delivery)} and len(bodies) == 1
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("attempt"))
    assert [(a.attempt, a.status_code, a.error) for a in log] == [
        (1, 500, "HTTP 500"),
        (2, 502, "HTTP 502"),
        (3, 200, ""),
    ]
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_a_delivery_held_by_another_worker_is_not_sent_twice(gov, receiver, allow_private):
    hook, _ = make_hook(gov, receiver.url)
    delivery = services.webhook_send_test(webhook=hook, actor=gov.chair)
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert receiver.requests == []


def test_backoff_is_exponential_and_gives_up_after_eight_attempts(gov, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.statuses = [503]
    hook, _ = make_hook(gov, receiver.url)
    delivery = services.webhook_send_test(webhook=hook, actor=gov.chair)
    waits = []
    for _ in range(8):
        waits.append(services.delivery_attempt(delivery_id=delivery.pk))
    assert waits[-1] is None
    for n, wait in enumerate(waits[:-1], start=1):
        assert 30 * 2 ** (n - 1) * 0.9 <= wait <= 30 * 2 ** (n - 1) * 1.1
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 8
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 8


def test_twenty_failures_in_a_row_turn_the_webhook_off_and_tell_the_chairs(
    gov, receiver, allow_private, live
):
    receiver.statuses = [500]
    hook, _ = make_hook(gov, receiver.url)
    with live():
        for _ in range(3):
            delivery = services.webhook_send_test(webhook=hook, actor=gov.chair)
            while services.delivery_attempt(delivery_id=delivery.pk) is not None:
                pass
    hook.refresh_from_db()
    assert not hook.active and hook.consecutive_failures == 20
    assert "20 failed deliveries in a row" in hook.disabled_reason
    told = Notification.objects.get(kind="webhook.disabled")
    assert told.recipient == gov.chair
    assert told.title == "Webhook to 127.0.0.1 turned off"
    assert len(receiver.requests) == 20  # the 21st attempt found the webhook off
    # Turning it back on clears the count.
    hook, _ = services.webhook_update(webhook=hook, actor=gov.chair, active=True)
    assert hook.active and hook.consecutive_failures == 0


def test_the_secret_cannot_be_read_back(gov, receiver, allow_private):
    hook, secret = make_hook(gov, receiver.url, secret=None)
    assert secret.startswith("whsec_")
    stored = Webhook.objects.values_list("secret_encrypted", flat=True).get(pk=hook.pk)
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert secrets.decrypt(stored) == secret


def test_the_secret_does_not_decrypt_without_the_key(gov, receiver, allow_private, settings):
    hook, _ = make_hook(gov, receiver.url)
    settings.SECRET_KEY = "another-key-entirely-" + "x" * 40
    delivery = services.webhook_send_test(webhook=hook, actor=gov.chair)
    services.delivery_attempt(delivery_id=delivery.pk)
    assert receiver.requests == []
    assert "cannot be decrypted" in DeliveryAttempt.objects.get().error


def test_only_public_events_reach_webhooks(gov, receiver, allow_private, live):
    hook, _ = make_hook(gov, receiver.url, events_=["*"])
    with live():
        services.webhook_update(webhook=hook, actor=gov.chair, events_=["*", "vote.*"])
    # webhook.updated is not public: nothing was sent.
    assert receiver.requests == []


def test_site_webhooks_hear_every_groups_public_events(
    gov, staff_user, receiver, allow_private, live
):
    services.webhook_create(
        actor=staff_user, group=None, url=receiver.url, events_=["proposal.created"]
    )
    with live():
        in_discussion(gov.group, gov.contributor)
    assert [r["headers"]["X-OMI-Event"] for r in receiver.requests] == ["proposal.created"]


def test_the_worker_task_retries_and_the_sweeper_finds_lost_deliveries(
    gov, receiver, allow_private, eager
):
    receiver.statuses = [500, 200]
    hook, _ = make_hook(gov, receiver.url)
    delivery = services.webhook_send_test(webhook=hook, actor=gov.chair)
    tasks.deliver_webhook(delivery.pk)  # eager: the retry runs at once
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    lost = services.webhook_send_test(webhook=hook, actor=gov.chair)
    Delivery.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert tasks.sweep_webhook_deliveries() == 1
    lost.refresh_from_db()
    assert lost.status == "succeeded"


# --- SSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost/hook",
    ],
)
def test_private_addresses_are_refused_when_the_webhook_is_made(gov, url):
    with pytest.raises(services.Invalid) as refused:
        make_hook(gov, url)
    assert "public addresses only" in refused.value.errors["url"][0]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "169.254.169.254",
        "::1",
        "::ffff:10.1.2.3",
        "192.168.1.1",
        "100.64.0.1",
        "224.0.0.1",
        "0.0.0.0",  # noqa: S104  (an address refused, not bound)
        "fc00::1",
        "fe80::1",
        "64:ff9b::a00:1",
        "2002:a00:1::",
    ],
)
def test_private_addresses_are_refused_at_delivery(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    assert channel.address_refusal(address) is not None
    assert channel.address_refusal("93.184.215.14") is None
    assert channel.address_refusal("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None


def _fake_dns(monkeypatch, table):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (table[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/hook",
        "http://internal.example.test/hook",
    ],
)
def test_every_private_target_is_refused_when_sending(url, monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    _fake_dns(monkeypatch, {"internal.example.test": "10.1.2.3"})
    connected = []
    monkeypatch.setattr(channel, "open_socket", lambda *a: connected.append(a))
    result = channel.post(url, "{}", {})
    assert result.status_code is None and result.error.startswith("Refused:")
    assert connected == []  # never even connected


def test_a_redirect_to_a_private_address_is_refused(monkeypatch, settings, receiver):
    """A public name (answered by the local receiver, standing in for a public server) that
    redirects to the metadata service: the redirect's target is checked like the first hop."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    _fake_dns(
        monkeypatch, {"hooks.example.test": "93.184.215.14", "metadata.test": "169.254.169.254"}
    )
    real_open = channel.open_socket
    opened = []

    def to_receiver(address, timeout):
        opened.append(address.ip)
        assert address.ip == "93.184.215.14"  # only the checked public address is ever dialled
        local = channel.Address(socket.AF_INET, ("127.0.0.1", receiver.port))
        return real_open(local, timeout)

    monkeypatch.setattr(channel, "open_socket", to_receiver)
    for target in ("http://169.254.169.254/latest/", "http://metadata.test/latest/"):
        receiver.redirect_to = target
        result = channel.post("http://hooks.example.test/hook", "{}", {})
        assert result.status_code is None
        assert result.error.startswith("Refused:") and "169.254.169.254" in result.error
    assert len(receiver.requests) == 2 and opened == ["93.184.215.14"] * 2


def test_a_name_resolving_to_public_and_private_addresses_is_refused(monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ],
    )
    assert channel.post("http://mixed.example.test/", "{}", {}).error.startswith("Refused:")


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    monkeypatch, settings, receiver
):
    """DNS rebinding: the name is resolved once; a second, different answer is never used."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    # The second answer is this machine's other loopback address, never dialled either way.
    answers = iter(["127.0.0.1", "127.0.0.2"])
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))
        ],
    )
    dialled = []
    real_open = channel.open_socket
    monkeypatch.setattr(
        channel, "open_socket", lambda a, t: dialled.append(a.ip) or real_open(a, t)
    )
    result = channel.post(f"http://rebind.example.test:{receiver.port}/hook", "{}", {})
    assert result.status_code == 200 and dialled == ["127.0.0.1"]
    assert receiver.requests[0]["headers"]["Host"] == f"rebind.example.test:{receiver.port}"
