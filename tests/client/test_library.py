"""The library on its own: retries and backoff, errors, pagination (scripted HTTP answers), and
against the live server."""

from __future__ import annotations

import json

import pytest
import requests
from omi_commons_client import (
    BadRequest,
    Client,
    NotFound,
    RateLimited,
    ServerError,
    TransferError,
)

from tests.validation.factories import make_dataset


class Scripted:
    """A stand-in for ``requests.Session`` answering from a script, recording every call."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple[str, str]] = []
        self.headers: dict[str, str] = {}

    def request(self, method, url, **kwargs):
        self.calls.append((method, url))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers.update({"Content-Type": "application/json", **headers})
        response.url = url
        response.reason = "reason"
        return response


def client_with(*answers, **options):
    sleeps: list[float] = []
    session = Scripted(*answers)
    client = Client(
        "https://commons.test", "omi_x", session=session, sleep=sleeps.append, **options
    )
    return client, session, sleeps


def test_429_and_503_are_retried_with_backoff_honouring_retry_after():
    client, session, sleeps = client_with(
        (429, {"detail": "Request was throttled."}, {"Retry-After": "7"}),
        (503, {"detail": "Down for a moment."}, {}),
        (200, {"slug": "cats"}, {}),
        backoff=1.0,
        max_backoff=30,
    )
    assert client.dataset("cats") == {"slug": "cats"}
    assert len(session.calls) == 3
    assert sleeps[0] == 7  # the server said how long
    assert 1.0 <= sleeps[1] <= 2.0  # doubled, with jitter


def test_retry_after_is_capped_and_retries_run_out_with_the_servers_message():
    client, _, sleeps = client_with(
        *[(429, {"detail": "Request was throttled."}, {"Retry-After": "3600"})] * 3,
        retries=2,
        max_backoff=5,
    )
    with pytest.raises(RateLimited) as info:
        client.dataset("cats")
    assert sleeps == [5, 5]
    assert "limiting your requests (429): Request was throttled. Try again in 3600 s." in str(
        info.value
    )
    assert info.value.retry_after == 3600


def test_connection_failures_are_retried_only_when_safe():
    down = requests.ConnectionError("Connection refused")
    client, session, _ = client_with(down, (200, {"ok": True}, {}))
    assert client.get("/api/v1/x/") == {"ok": True}
    client, session, _ = client_with(down, (201, {}, {}))
    with pytest.raises(TransferError, match="connection refused"):
        client.create_dataset(name="x")
    assert len(session.calls) == 1  # a POST is not repeated blindly


def test_errors_carry_the_servers_detail_and_field_errors():
    client, _, _ = client_with(
        (
            400,
            {
                "detail": "license: Not an SPDX id.",
                "errors": {
                    "license": ["Not an SPDX id."],
                    "/metadata/creators": ["This field is required."],
                },
            },
            {},
        ),
    )
    with pytest.raises(BadRequest) as info:
        client.create_dataset(name="x", license="nope")
    error = info.value
    assert error.status == 400
    assert error.errors["/metadata/creators"] == ["This field is required."]
    assert str(error).splitlines() == [
        "license: Not an SPDX id.",
        "  /metadata/creators: This field is required.",
    ]
    client, _, _ = client_with((502, "<html>bad gateway</html>", {}))
    with pytest.raises(ServerError, match="server failed"):
        client.get("/x/")


def test_pagination_follows_next_lazily():
    client, session, _ = client_with(
        (
            200,
            {
                "next": "https://commons.test/api/v1/groups/?cursor=2",
                "previous": None,
                "results": [{"slug": "a"}],
            },
            {},
        ),
        (200, {"next": None, "previous": None, "results": [{"slug": "b"}]}, {}),
    )
    groups = client.groups()
    assert next(groups) == {"slug": "a"}
    assert len(session.calls) == 1
    assert next(groups) == {"slug": "b"}
    assert session.calls[1][1] == "https://commons.test/api/v1/groups/?cursor=2"
    assert list(groups) == []


def test_model_and_governance_reads_use_the_documented_paths():
    answers = [(200, {"results": [], "next": None}, {})] * 2 + [(200, {}, {})] * 4
    client, session, _ = client_with(*answers)
    list(client.models())
    list(client.model_versions("sd-mini"))
    client.model("sd-mini")
    client.model_version("sd-mini", "0.1.0")
    client.proposal("steering-committee", 7)
    client.decision("steering-committee", 7)
    assert [url.removeprefix("https://commons.test") for _, url in session.calls] == [
        "/api/v1/models/",
        "/api/v1/models/sd-mini/versions/",
        "/api/v1/models/sd-mini/",
        "/api/v1/models/sd-mini/versions/0.1.0/",
        "/api/v1/groups/steering-committee/proposals/7/",
        "/api/v1/groups/steering-committee/proposals/7/decision/",
    ]


def test_a_bad_url_is_refused():
    with pytest.raises(ValueError, match="not an http"):
        Client("commons.example.org")


def test_against_the_live_server(live_server, uploader, token, tmp_path):
    for slug in ("a", "b", "c"):
        make_dataset(uploader, slug=slug)
    client = Client(live_server.url, token)
    assert sorted(d["slug"] for d in client.paginate("/api/v1/datasets/", page_size=1)) == [
        "a",
        "b",
        "c",
    ]
    assert [d["slug"] for d in client.datasets(limit=2)] == ["c", "b"]
    with pytest.raises(NotFound, match="No dataset 'zzz'"):
        client.dataset("zzz")
    path = tmp_path / "c.jsonl"
    path.write_text('{"file_name": "1.jpg", "text": "A red fox in the snow at dawn."}\n')
    version = client.upload_version("a", path, version="1.0.0")
    assert version["row_count"] == 1
    assert client.version("a", "1.0.0")["sha256"] == version["sha256"]
    assert client.whoami()["quota"]["active_uploads"] == 0


def test_a_throttled_or_unavailable_patch_is_resent_whole(tmp_path):
    """A PATCH body is a stream: it is never replayed half-read by the transport's retry loop,
    the upload loop sends a fresh one from the server's offset."""
    import hashlib

    from omi_commons_client.uploads import upload_file

    data = b"0123456789" * 1000
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)

    class Recording(Scripted):
        def request(self, method, url, **kwargs):
            body = kwargs.get("data")
            if method == "PATCH":
                self.bodies.append(b"".join(iter(body)))
            return super().request(method, url, **kwargs)

    upload = "https://commons.test/api/v1/uploads/u1/"
    session = Recording(
        (201, {}, {"Location": upload}),
        (503, {"detail": "busy"}, {}),
        (200, {}, {"Upload-Offset": "0", "Upload-Length": str(len(data))}),
        (429, {"detail": "slow down"}, {"Retry-After": "1"}),
        (200, {}, {"Upload-Offset": "0", "Upload-Length": str(len(data))}),
        (204, {}, {"Upload-Offset": str(len(data))}),
        (200, {"id": "u1", "sha256": hashlib.sha256(data).hexdigest()}, {}),
    )
    session.bodies = []
    sleeps: list[float] = []
    client = Client("https://commons.test", "omi_x", session=session, sleep=sleeps.append)
    result = upload_file(client, path)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert session.bodies == [data, data, data]
    assert sleeps[1] == 1  # the 429's Retry-After
