"""Streaming caption-file uploads: hashed chunk by chunk, size-capped while streaming.

Django's default handlers buffer small files in memory and leave hashing to the caller, which
would mean reading a multi-gigabyte file a second time. ``HashingUploadHandler`` instead writes
each chunk to a temporary file in ``FILE_UPLOAD_TEMP_DIR`` *and* feeds it to sha256 as it arrives,
so the hash is ready when the last byte lands. Past ``DATASET_UPLOAD_MAX_BYTES`` it deletes what it
wrote and stops the upload; the rest of the body is read and thrown away, nothing stays on disk.

Django strips directories from upload file names silently. We want to *refuse* a name such as
``../../etc/passwd`` with a clear error, so the multipart parser is subclassed to record the raw
name and stop when it is unsafe.

Use :func:`install` on the Django request before anything reads its body (for website views that
means a ``csrf_exempt`` outer view, because the CSRF check reads the body), and
:class:`StreamingMultiPartParser` as the DRF parser.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser

from config.errors import Invalid

from .services.common import file_too_large

# Multipart framing and the small form fields around the file.
ENVELOPE_SLACK = 1024 * 1024


def unsafe_name_error(name: str) -> Invalid:
    return Invalid(
        "The file name contains a path; send a plain file name.",
        errors={"file": [f"{name!r} is not a plain file name (no directories, '..' or '/')."]},
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
    """Temp file + running sha256 + size cap, for every file field of the request."""

    chunk_size = 1024 * 1024  # fewer Python round trips per GB than Django's 64 KiB

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.DATASET_UPLOAD_MAX_BYTES
        self.received = 0  # across all files of the request
        self.too_large = False
        self.unsafe_filename: str | None = None

    def new_file(self, *args, **kwargs):
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


def install(request, *, max_bytes: int | None = None) -> HashingUploadHandler:
    """Make ``request`` (a Django ``HttpRequest``) stream its files through our handler."""
    handler = HashingUploadHandler(request, max_bytes=max_bytes)
    request.upload_handlers = [handler]
    request.parse_file_upload = functools.partial(_parse_file_upload, request)
    return handler


def handler_of(request) -> HashingUploadHandler | None:
    for handler in getattr(request, "_upload_handlers", None) or []:
        if isinstance(handler, HashingUploadHandler):
            return handler
    return None


def precheck_length(request, *, max_bytes: int | None = None) -> None:
    """Refuse before reading a byte when the declared body is already over the limit."""
    limit = max_bytes if max_bytes is not None else settings.DATASET_UPLOAD_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + ENVELOPE_SLACK:
        raise file_too_large(limit)


def raise_for_handler(handler: HashingUploadHandler | None) -> None:
    """After parsing: turn what the handler saw into a domain error."""
    if handler is None:
        return
    if handler.unsafe_filename is not None:
        raise unsafe_name_error(handler.unsafe_filename)
    if handler.too_large:
        raise file_too_large(handler.max_bytes)


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
