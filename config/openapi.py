"""The schema's error responses, derived once for every endpoint (``DEFAULT_SCHEMA_CLASS``).

Every API error leaves as ``{"detail": "...", "errors": {"<field>": ["message"]}}``
(``config.api.exception_handler``, ``config.views.error_response``). Rather than each view listing
the 4xx it can answer, :class:`AutoSchema` reads them off what the view is made of:

=====  ==========================================================================================
400    the operation takes a body or query parameters (filters, ``page_size``, ``cursor``…)
401    the view authenticates with a scheme that answers a challenge (a bad ``Token``)
403    the view's permissions can refuse this method (anything but ``AllowAny``, or a write)
404    the path has parameters (the object may not exist or not be visible to you)
409    a write (POST, PUT, PATCH, DELETE): the current state may forbid it
413    the view parses files (multipart) or a raw stream
415    the operation takes a body: another Content-Type is refused
429    the view has throttles
503    a write: the cache or the broker it needs may be unreachable
=====  ==========================================================================================

A view adds or removes codes with ``api_errors`` (a class attribute), ``{code: description}``
with ``None`` to drop a derived code, e.g. ``api_errors = {409: "The slug is taken.", 404: None}``;
a response declared with ``@extend_schema(responses=...)`` always wins. A declared error response
without a body gets the error body. An optional query parameter may be sent empty (it then counts
as left out): the schema says so (``allowEmptyValue``, ``""`` in an enum). README.md ("The API") says the same for people adding
endpoints.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from rest_framework import parsers, permissions, serializers

SAFE = {"GET", "HEAD", "OPTIONS"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
ERROR_MEDIA_TYPE = "application/json"

DESCRIPTIONS: dict[int, str] = {
    400: "The request is invalid: `detail` says why, `errors` names each field or parameter.",
    401: "The credentials (`Authorization: Token …`) are missing or wrong.",
    403: "You may not do this.",
    404: "Nothing here, or nothing you may see.",
    405: "This method is not allowed here.",
    406: "The Accept header asks for a format this endpoint does not answer in.",
    409: "The current state forbids this (an illegal transition, a duplicate).",
    410: "Gone.",
    412: "A precondition failed.",
    413: "The body is over a size limit.",
    415: "Unsupported Content-Type.",
    423: "Locked by another request.",
    429: "Too many requests: wait for the number of seconds in Retry-After.",
    503: "A service the request needs (the cache, the broker) is unreachable: retry later.",
}


class ErrorOutput(serializers.Serializer):
    """Every 4xx: a sentence, and messages by field or JSON pointer."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _challenges(view) -> bool:
    request = None
    return any(
        auth.authenticate_header(request) for auth in view.get_authenticators() if auth is not None
    )


def _may_refuse(view, method: str) -> bool:
    perms = view.get_permissions()
    if all(isinstance(p, permissions.AllowAny) for p in perms):
        return False
    return not (
        method in SAFE
        and all(
            isinstance(p, (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly))
            for p in perms
        )
    )


def _takes_files(view) -> bool:
    classes = getattr(view, "parser_classes", None) or []
    return not classes or any(
        issubclass(cls, (parsers.MultiPartParser, parsers.FileUploadParser)) for cls in classes
    )


def derived_errors(view, method: str, operation: dict[str, Any]) -> dict[int, str]:
    """The error codes ``view`` can answer to ``method``, with a description each."""
    method = method.upper()
    params = operation.get("parameters", [])
    body = "requestBody" in operation
    codes: set[int] = set()
    if body or any(p.get("in") == "query" for p in params):
        codes.add(400)
    if _challenges(view):
        codes.add(401)
    if _may_refuse(view, method):
        codes.update({401, 403})
    if any(p.get("in") == "path" for p in params):
        codes.add(404)
    if method in WRITES:
        codes.update({409, 503})
    if body:
        codes.update({400, 415})
        if _takes_files(view):
            codes.add(413)
    if view.get_throttles():
        codes.add(429)
    wanted = {code: DESCRIPTIONS[code] for code in codes}
    for code, text in (getattr(view, "api_errors", None) or {}).items():
        if text is None:
            wanted.pop(int(code), None)
        else:
            wanted[int(code)] = text
    return wanted


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with every error response an endpoint can give."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required"):
                # An optional query parameter given empty (``?status=``) is as if left out:
                # django-filter, page_size, cursor and bool_param all read it so.
                parameter["allowEmptyValue"] = True
                enum = parameter.get("schema", {}).get("enum")
                if enum is not None and "" not in enum:
                    enum.append("")
        responses = operation.setdefault("responses", {})
        for code, text in sorted(derived_errors(self.view, method, operation).items()):
            responses.setdefault(str(code), {"description": text})
        error_content = None
        for code, response in responses.items():
            if code.isdigit() and int(code) >= 400 and "content" not in response:
                if error_content is None:
                    error_content = self._error_content()
                response["content"] = error_content
        # Status codes in order, as a reader looks for them.
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_content(self) -> dict[str, Any]:
        component = self.resolve_serializer(ErrorOutput, "response")
        return {ERROR_MEDIA_TYPE: {"schema": component.ref}}
