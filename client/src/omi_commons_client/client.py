"""``Client(url, token)``: the OMI Commons REST API as typed Python methods.

Reads return the API's JSON (dicts and lists, exactly the documented shapes); lists are
iterators that follow the cursor pagination (``{"next", "previous", "results"}``) lazily. Errors
raise :mod:`omi_commons_client.errors` with the server's ``detail`` and field ``errors``. A 429
or 503 is retried with exponential backoff and jitter (honouring ``Retry-After``), as are
connection failures of requests that are safe to repeat.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import requests
from requests.adapters import HTTPAdapter

from . import __version__
from .errors import ApiError, NotFound, TransferError, error_class

RETRY_STATUSES = frozenset({429, 503})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Bigger socket writes than urllib3's 16 KiB: fewer Python round trips per gigabyte uploaded.
SEND_BLOCK = 1024 * 1024


class _BigBlockAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        kwargs["blocksize"] = SEND_BLOCK
        super().init_poolmanager(*args, **kwargs)


def _q(part: str) -> str:
    return quote(str(part), safe="")


class Client:
    """A session with one OMI Commons server.

    ``url`` is the site's address (``https://commons.example.org``); ``token`` an API token
    (``omi_…``) or ``None`` for anonymous reads. ``retries`` is how many times a throttled
    (429), unavailable (503) or dropped request is tried again; the wait doubles from
    ``backoff`` seconds up to ``max_backoff``.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        timeout: float = 60.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL.")
        self.url = url.rstrip("/")
        self.token = token
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self._sleep = sleep
        self.session = session or requests.Session()
        if session is None:
            adapter = _BigBlockAdapter()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = f"omi-commons-client/{__version__}"
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Token {token}"

    # --- transport ------------------------------------------------------------------------

    def absolute(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.url + "/", path.lstrip("/"))

    def wait_time(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(self.max_backoff, max(0.0, retry_after))
        base = min(self.max_backoff, self.backoff * (2**attempt))
        return base * random.uniform(0.5, 1.0)

    def request(
        self,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        retry_connection: bool | None = None,
        retry_status: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request; return the response if its status is in ``ok``, else raise.

        429 and 503 are retried for every method (the server did not act on the request);
        connection failures only for idempotent methods, unless ``retry_connection`` says. A
        body that is a stream cannot be sent twice: its caller passes ``retry_status=False``
        and ``retry_connection=False`` and retries with a fresh body itself.
        """
        method = method.upper()
        url = self.absolute(path)
        kwargs.setdefault("timeout", self.timeout)
        if retry_connection is None:
            retry_connection = method in IDEMPOTENT
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.RequestException as exc:
                if retry_connection and attempt < self.retries:
                    self._sleep(self.wait_time(attempt))
                    attempt += 1
                    continue
                raise TransferError(f"Could not reach {url}: {_reason(exc)}") from exc
            if response.status_code in ok:
                return response
            if retry_status and response.status_code in RETRY_STATUSES and attempt < self.retries:
                self._sleep(self.wait_time(attempt, _retry_after(response)))
                attempt += 1
                continue
            raise self.error(response)

    def error(self, response: requests.Response) -> ApiError:
        status = response.status_code
        detail, errors = "", {}
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            detail = str(body.get("detail") or "")
            raw = body.get("errors")
            if isinstance(raw, dict):
                errors = {
                    str(k): [str(m) for m in (v if isinstance(v, list) else [v])]
                    for k, v in raw.items()
                }
        if not detail:
            detail = _default_detail(status, response)
        retry_after = _retry_after(response)
        if status == 429:
            wait = f" Try again in {retry_after:.0f} s." if retry_after is not None else ""
            detail = f"The server is limiting your requests (429): {detail}{wait}"
        elif status == 401:
            detail = f"{detail} (401: check your token, or run `omi login`)"
        return error_class(status)(
            detail, status=status, errors=errors, url=response.url, retry_after=retry_after
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=_clean(params)).json()

    def post(self, path: str, json: Any = None, *, ok=(200, 201), **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, ok=ok, **kwargs).json()

    def paginate(self, path: str, *, limit: int | None = None, **params: Any) -> Iterator[dict]:
        """Every item of a cursor-paginated list, fetching pages as they are needed."""
        url: str | None = self.absolute(path)
        params = _clean(params)
        seen = 0
        while url:
            page = self.request("GET", url, params=params).json()
            params = {}  # the next link carries them
            for item in page.get("results", []):
                yield item
                seen += 1
                if limit is not None and seen >= limit:
                    return
            url = page.get("next")

    # --- account ----------------------------------------------------------------------------

    def whoami(self) -> dict:
        """``{"user": {"username", ...}, "quota": {...}, "results": [uploads in progress]}``."""
        return self.get("/api/v1/uploads/")

    # --- standards --------------------------------------------------------------------------

    def standards(self) -> Iterator[dict]:
        return self.paginate("/api/v1/standards/")

    def standard(self, slug: str) -> dict:
        return self.get(f"/api/v1/standards/{_q(slug)}/")

    def standard_version(self, slug: str, version: str) -> dict:
        """``{"version", "status", "schema", "rules", "sha256", "changelog", ...}``."""
        return self.get(f"/api/v1/standards/{_q(slug)}/versions/{_q(version)}/")

    # --- datasets and versions --------------------------------------------------------------

    def datasets(self, *, limit: int | None = None, **filters: Any) -> Iterator[dict]:
        """Filters: ``search``, ``license``, ``standard``, ``status``, ``corpus_status``,
        ``visibility``."""
        return self.paginate("/api/v1/datasets/", limit=limit, **filters)

    def dataset(self, slug: str) -> dict:
        try:
            return self.get(f"/api/v1/datasets/{_q(slug)}/")
        except NotFound as exc:
            raise _not_found(exc, f"No dataset {slug!r} on {self.url}") from None

    def create_dataset(self, **fields: Any) -> dict:
        """``name``, ``slug``?, ``summary``, ``description``, ``license`` (SPDX), ``standard``
        (``slug@version``), ``metadata`` (the dataset card), ``visibility``, ``homepage``?"""
        return self.post("/api/v1/datasets/", _clean(fields), ok=(201,))

    def update_dataset(self, slug: str, **fields: Any) -> dict:
        return self.request("PATCH", f"/api/v1/datasets/{_q(slug)}/", json=fields).json()

    def versions(self, slug: str, *, limit: int | None = None) -> Iterator[dict]:
        return self.paginate(f"/api/v1/datasets/{_q(slug)}/versions/", limit=limit)

    def version(self, slug: str, version: str) -> dict:
        try:
            return self.get(f"/api/v1/datasets/{_q(slug)}/versions/{_q(version)}/")
        except NotFound as exc:
            raise _not_found(exc, f"No version {version!r} of dataset {slug!r}") from None

    def version_exists(self, slug: str, version: str) -> bool:
        try:
            self.version(slug, version)
        except NotFound:
            return False
        return True

    def croissant(self, slug: str, version: str) -> dict:
        return self.get(f"/api/v1/datasets/{_q(slug)}/versions/{_q(version)}/croissant/")

    def create_version(
        self,
        slug: str,
        *,
        version: str,
        upload_id: str | None = None,
        file: str | Path | None = None,
        **fields: Any,
    ) -> dict:
        """Create a dataset version from a completed resumable upload (``upload_id``) or, for
        small files, a direct multipart ``file``. ``fields``: ``format``, ``compression``,
        ``sha256``, ``caption_column``, ``image_column``, ``license_column``, ``notes``."""
        if (upload_id is None) == (file is None):
            raise ValueError("Give upload_id or file, not both.")
        parts: dict[str, Any] = {
            k: (None, str(v)) for k, v in _clean({"version": version, **fields}).items()
        }
        path = f"/api/v1/datasets/{_q(slug)}/versions/"
        if upload_id is not None:
            parts["upload_id"] = (None, str(upload_id))
            return self.post(path, files=parts, ok=(201,), retry_connection=False)
        with open(file, "rb") as fh:  # type: ignore[arg-type]
            parts["file"] = (Path(file).name, fh)  # type: ignore[arg-type]
            # The file is read as it is sent: not resent on a 429 or 503 (raised instead).
            return self.post(
                path, files=parts, ok=(201,), retry_connection=False, retry_status=False
            )

    def upload_version(self, slug: str, path: str | Path, *, version: str, **options: Any) -> dict:
        """Upload ``path`` resumably and create version ``version`` from it (see
        :func:`omi_commons_client.uploads.upload_dataset_version` for the options)."""
        from .uploads import upload_dataset_version

        return upload_dataset_version(self, slug, Path(path), version=version, **options)

    # --- validation -------------------------------------------------------------------------

    def validation(self, slug: str, version: str) -> dict:
        """The latest run: ``{"status", "progress", "counts", "issue_count", ...}``."""
        return self.get(f"/api/v1/datasets/{_q(slug)}/versions/{_q(version)}/validation/")

    def revalidate(self, slug: str, version: str) -> dict:
        return self.post(
            f"/api/v1/datasets/{_q(slug)}/versions/{_q(version)}/validation/", ok=(201,)
        )

    def validation_issues(
        self,
        slug: str,
        version: str,
        *,
        rule: str | None = None,
        severity: str | None = None,
        limit: int | None = None,
        page_size: int = 500,
    ) -> Iterator[dict]:
        """Issues ``{"row", "rule", "severity", "message", "value"}`` of the latest run."""
        return self.paginate(
            f"/api/v1/datasets/{_q(slug)}/versions/{_q(version)}/validation/issues/",
            limit=limit,
            rule=rule,
            severity=severity,
            page_size=page_size,
        )

    def wait_for_validation(
        self,
        slug: str,
        version: str,
        *,
        interval: float = 2.0,
        timeout: float | None = None,
        on_progress: Callable[[dict], None] | None = None,
    ) -> dict:
        """Poll until the latest run has ended (succeeded, failed or cancelled); return it.

        A version whose run is not created yet (just uploaded) is waited for too. Raises
        ``TimeoutError`` after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                run = self.validation(slug, version)
            except NotFound:
                self.version(slug, version)  # raises if the version itself is missing
                run = {"status": "pending", "progress": {"rows_done": 0, "rows_total": None}}
            if on_progress is not None:
                on_progress(run)
            if run.get("status") in ("succeeded", "failed", "cancelled"):
                return run
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(
                    f"The validation of {slug} {version} is still {run.get('status')} after "
                    f"{timeout:g} s."
                )
            self._sleep(interval)

    # --- resumable uploads ------------------------------------------------------------------

    def uploads(self) -> list[dict]:
        return self.whoami()["results"]

    def delete_upload(self, upload: str) -> None:
        url = upload if "/" in upload else f"/api/v1/uploads/{_q(upload)}/"
        self.request("DELETE", url, ok=(204,), headers={"Tus-Resumable": "1.0.0"})

    # --- governance (read) ------------------------------------------------------------------

    def groups(self) -> Iterator[dict]:
        return self.paginate("/api/v1/groups/")

    def group(self, slug: str) -> dict:
        return self.get(f"/api/v1/groups/{_q(slug)}/")

    def proposals(self, group: str, **filters: Any) -> Iterator[dict]:
        return self.paginate(f"/api/v1/groups/{_q(group)}/proposals/", **filters)

    def proposal(self, group: str, number: int) -> dict:
        return self.get(f"/api/v1/groups/{_q(group)}/proposals/{int(number)}/")

    def votes(self, group: str, number: int) -> Iterator[dict]:
        return self.paginate(f"/api/v1/groups/{_q(group)}/proposals/{int(number)}/votes/")

    def decision(self, group: str, number: int) -> dict:
        return self.get(f"/api/v1/groups/{_q(group)}/proposals/{int(number)}/decision/")

    def ledger(self, *, limit: int | None = None) -> Iterator[dict]:
        return self.paginate("/api/v1/ledger/", limit=limit, page_size=200)

    # --- models (the models registry's API, issue 13: read endpoints) -----------------------

    def models(self, **filters: Any) -> Iterator[dict]:
        return self.paginate("/api/v1/models/", **filters)

    def model(self, slug: str) -> dict:
        return self.get(f"/api/v1/models/{_q(slug)}/")

    def model_versions(self, slug: str) -> Iterator[dict]:
        return self.paginate(f"/api/v1/models/{_q(slug)}/versions/")

    def model_version(self, slug: str, version: str) -> dict:
        return self.get(f"/api/v1/models/{_q(slug)}/versions/{_q(version)}/")

    def create_model(self, **fields: Any) -> dict:
        """``name``, ``license``, ``group``, ``standard`` ("slug@version"); optional ``slug``,
        ``summary``, ``description``, ``visibility``."""
        return self.post("/api/v1/models/", json=_clean(fields), ok=(201,))

    def upload_model_version(
        self, slug: str, folder: str | Path, *, version: str, **options: Any
    ) -> dict:
        """Upload a folder resumably and register it as version ``version`` (see
        :func:`omi_commons_client.models.upload_model_version`)."""
        from .models import upload_model_version

        return upload_model_version(self, slug, Path(folder), version=version, **options)


def _not_found(exc: NotFound, what: str) -> NotFound:
    """A 404 that says what was looked for (the server's plain "Not found." does not)."""
    return NotFound(
        f"{what} (or it is private and you may not see it).",
        status=404,
        errors=exc.errors,
        url=exc.url,
    )


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        return None


_REASONS = (
    ("Connection refused", "connection refused"),
    ("Name or service not known", "unknown host"),
    ("timed out", "timed out"),
    ("reset by peer", "the connection was reset"),
    ("Broken pipe", "the connection was closed mid-request"),
    ("Connection aborted", "the connection was closed mid-request"),
    ("RemoteDisconnected", "the server closed the connection"),
)


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    for marker, reason in _REASONS:
        if marker.lower() in text.lower():
            return reason
    return exc.__class__.__name__ + (f": {text}" if len(text) < 200 else "")


def _default_detail(status: int, response: requests.Response) -> str:
    if status == 413:
        return "The request is larger than the server accepts."
    if status >= 500:
        return f"The server failed ({status} {response.reason})."
    return f"{status} {response.reason}"
