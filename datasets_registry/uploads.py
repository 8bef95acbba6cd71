"""Streaming caption-file uploads: the one way a caption file comes in, on the API and the website.

Django's default handlers buffer small files in memory and leave hashing to the caller, which
would mean reading a multi-gigabyte file a second time. ``HashingUploadHandler`` instead writes
each chunk to a temporary file in ``FILE_UPLOAD_TEMP_DIR`` *and* feeds it to sha256 as it arrives,
so the hash is ready when the last byte lands. Past ``DATASET_UPLOAD_MAX_BYTES`` it deletes what it
wrote and stops the upload; the rest of the body is read and thrown away, nothing stays on disk.
Django strips directories from upload file names silently; we *refuse* a name such as
``../../etc/passwd`` with a clear error, so the multipart parser is subclassed to stop on it.

How a view receives a file:

1. It is marked: ``@uploads.streams_files(guard=...)`` on a function view, ``streams_files =
   True`` on a DRF view.
2. ``StreamingUploadMiddleware``, listed before ``CsrfViewMiddleware``, installs the handler on
   the POSTs of marked views before anything reads the body. The CSRF check then reads the form's
   token through it like any other form's (``csrf_exempt`` is not involved). A body declared
   larger than the limit is refused before a byte of the file is read, and so is a request the
   view's ``guard`` turns away (an outsider): only the small fields before the file are parsed.
3. Where the view wants the body it calls :func:`receive`, which parses it (unless the CSRF check
   already did) and raises what the handler refused, as domain errors (413, 400).

Temporary files a killed process left behind are removed by :func:`sweep_stale_temporaries`, at
the start of the web process and the worker and hourly from beat.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser

from config.errors import DomainError, Invalid

from .services.common import file_too_large

log = logging.getLogger(__name__)

# Multipart framing and the small form fields around the file.
ENVELOPE_SLACK = 1024 * 1024
# Django names its upload temporaries tmpXXXX.upload<.ext>; the registry's copies end in .upload.
TEMPORARY_PATTERN = "tmp*.upload*"


def unsafe_name_error(name: str) -> Invalid:
    return Invalid(
        _("The file name contains a path; send a plain file name."),
        errors={
            "file": [
                _("%(name)s is not a plain file name (no directories, '..' or '/').")
                % {"name": repr(name)}
            ]
        },
    )


def is_unsafe_filename(raw: str) -> bool:
    name = html.unescape(raw)
    return (
        "/" in name
        or "\\" in name
        or name in {".", ".."}
        or any(not ch.isprintable() for ch in name)
        or (len(name) > 1 and name[1] == ":")  # C:evil.txt
    )


class HashingUploadHandler(FileUploadHandler):
    """Temp file + running sha256 + size cap, for every file field of the request.

    ``refusal`` (set before parsing) makes it stop at the first byte of a file without reading
    the rest of the body: the request is refused whatever the file holds.
    """

    chunk_size = 1024 * 1024  # fewer Python round trips per GB than Django's 64 KiB

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.DATASET_UPLOAD_MAX_BYTES
        self.received = 0  # across all files of the request
        self.too_large = False
        self.unsafe_filename: str | None = None
        self.refusal: DomainError | None = None
        self.turned_away = False  # the view's guard said no: it answers the refusal itself

    def new_file(self, *args, **kwargs):
        if self.refusal is not None or self.turned_away:
            raise StopUpload(connection_reset=True)  # not a byte more of the body is read
        super().new_file(*args, **kwargs)
        self.hasher = hashlib.sha256()
        self.file = TemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data: bytes, start: int):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            self._discard()
            raise StopUpload(connection_reset=False)
        self.hasher.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int):
        uploaded = self.file
        uploaded.seek(0)
        uploaded.size = file_size
        uploaded.sha256 = self.hasher.hexdigest()
        del self.file  # handed over: Django closes it at the end of the request
        return uploaded

    def upload_interrupted(self):
        self._discard()

    def _discard(self) -> None:
        # Closing a TemporaryUploadedFile deletes it from disk.
        upload = getattr(self, "file", None)
        if upload is not None:
            with contextlib.suppress(OSError):
                upload.close()
            del self.file


class RecordingMultiPartParser(DjangoMultiPartParser):
    """Django's parser, but an unsafe file name stops the upload instead of being rewritten."""

    def sanitize_file_name(self, file_name):
        if is_unsafe_filename(file_name):
            for handler in self._upload_handlers:
                if isinstance(handler, HashingUploadHandler):
                    handler.unsafe_filename = file_name
            raise StopUpload(connection_reset=False)
        return super().sanitize_file_name(file_name)


def _parse_file_upload(request, META, post_data):
    parser = RecordingMultiPartParser(META, post_data, request.upload_handlers, request.encoding)
    return parser.parse()


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def install(request, *, max_bytes: int | None = None) -> HashingUploadHandler:
    """Make ``request`` (a Django ``HttpRequest``) stream its files through our handler. A body
    declared over the limit is marked refused here, before anything reads it."""
    handler = HashingUploadHandler(request, max_bytes=max_bytes)
    if _declared_length(request) > handler.max_bytes + ENVELOPE_SLACK:
        handler.refusal = file_too_large(handler.max_bytes)
    request.upload_handlers = [handler]
    request.parse_file_upload = functools.partial(_parse_file_upload, request)
    return handler


def handler_of(request) -> HashingUploadHandler | None:
    for handler in getattr(request, "_upload_handlers", None) or []:
        if isinstance(handler, HashingUploadHandler):
            return handler
    return None


def raise_for_handler(handler: HashingUploadHandler) -> None:
    """After parsing: turn what the handler saw into a domain error."""
    if handler.refusal is not None:
        raise handler.refusal
    if handler.unsafe_filename is not None:
        raise unsafe_name_error(handler.unsafe_filename)
    if handler.too_large:
        raise file_too_large(handler.max_bytes)


def receive(request) -> None:
    """The one entry point for a caption-file upload (a Django or a DRF request): parse the body
    through the streaming handler, unless the CSRF check already did, and raise what the handler
    refused: ``TooLarge`` (413) for a body over the limit, declared or streamed; ``Invalid``
    (400) for an unsafe file name or a malformed body. Afterwards ``request.POST`` /
    ``request.FILES`` (or DRF's ``request.data``) hold the fields and the hashed file."""
    django_request = getattr(request, "_request", request)
    handler = handler_of(django_request)
    if handler is None:
        raise ImproperlyConfigured(
            "This view receives caption files: mark it with uploads.streams_files and list "
            "datasets_registry.uploads.StreamingUploadMiddleware before CsrfViewMiddleware."
        )
    if handler.refusal is not None:
        raise handler.refusal  # declared too large: the body is not read at all
    try:
        if django_request is request:
            request.POST  # noqa: B018  (parses through the handler)
        else:
            request.data  # noqa: B018
    except (MultiPartParserError, ParseError) as exc:
        raise Invalid(
            _("The upload could not be read as a multipart form."),
            errors={
                "file": [
                    _("The request body is not valid multipart/form-data: %(reason)s")
                    % {"reason": exc}
                ]
            },
        ) from exc
    raise_for_handler(handler)


def streams_files(view: Callable | None = None, *, guard: Callable[..., bool] | None = None):
    """Mark a function view whose POSTs carry caption files (see the module docstring).

    ``guard(request, *args, **kwargs)``, when given, runs before the body is read; when it says
    no, no byte of a file is read or stored and the view is left to answer its own refusal
    (redirect to log in, 404, 403) as usual."""

    def mark(func: Callable) -> Callable:
        func.streams_files = True
        func.streams_files_guard = guard
        return func

    return mark(view) if view is not None else mark


def _limit_of(view_func) -> int | None:
    """A view may name another size limit (the setting's name) with ``streams_files_limit``:
    model versions are bounded by ``MODEL_UPLOAD_MAX_BYTES``. Default: the dataset limit."""
    name = getattr(view_func, "streams_files_limit", None) or getattr(
        getattr(view_func, "cls", None), "streams_files_limit", None
    )
    return getattr(settings, name) if name else None


def _streams(view_func) -> bool:
    return bool(
        getattr(view_func, "streams_files", False)
        or getattr(getattr(view_func, "cls", None), "streams_files", False)  # DRF views
    )


class StreamingUploadMiddleware:
    """Installs :class:`HashingUploadHandler` on the POSTs of views marked ``streams_files``.
    List it before ``django.middleware.csrf.CsrfViewMiddleware``: the CSRF check reads the body,
    and handlers can only be installed before it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not _streams(view_func):
            return None
        handler = install(request, max_bytes=_limit_of(view_func))
        guard = getattr(view_func, "streams_files_guard", None)
        if guard is not None and handler.refusal is None:
            handler.turned_away = not guard(request, *view_args, **view_kwargs)
        return None


class StreamingMultiPartParser(DRFMultiPartParser):
    """DRF's multipart parser on top of :class:`RecordingMultiPartParser`."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        try:
            parser = RecordingMultiPartParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error: {exc}") from exc
        return DataAndFiles(data, files)


# --- stale temporaries --------------------------------------------------------------------------


def sweep_stale_temporaries(*, max_age: float | None = None, now: float | None = None) -> int:
    """Delete upload temporaries in ``FILE_UPLOAD_TEMP_DIR`` not modified for ``max_age``
    seconds (``UPLOAD_TEMP_MAX_AGE_SECONDS``): what a web process killed mid-upload left behind.

    A live upload writes its file as it streams and the inspection that follows lasts seconds,
    so a file untouched for hours belongs to nobody. Only regular files named like Django's
    upload temporaries are considered (never symbolic links, never other files). Returns how many
    were removed; never raises (it runs at start-up).
    """
    if not settings.FILE_UPLOAD_TEMP_DIR:
        return 0  # the system's temporary directory: not ours to sweep
    max_age = settings.UPLOAD_TEMP_MAX_AGE_SECONDS if max_age is None else max_age
    cutoff = (time.time() if now is None else now) - max_age
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    removed = 0
    try:
        candidates = list(folder.glob(TEMPORARY_PATTERN))
    except OSError:
        log.warning("Cannot list %s for stale uploads.", folder, exc_info=True)
        return 0
    for path in candidates:
        try:
            info = path.lstat()
            if not path.is_file() or path.is_symlink() or info.st_mtime >= cutoff:
                continue
            os.unlink(path)
        except FileNotFoundError:
            continue  # finished (moved into storage) meanwhile
        except OSError:
            log.warning("Cannot remove the stale upload %s.", path, exc_info=True)
            continue
        removed += 1
        log.info("Removed the stale upload temporary %s (%d bytes).", path.name, info.st_size)
    return removed
