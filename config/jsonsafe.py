"""The one JSON loader and the one rule for text the platform stores.

Every JSON the platform accepts, as a request body (``config.parsers.JSONParser``, the API's
``DEFAULT_PARSER_CLASSES``) or in a form field (a survey definition, dataset metadata, a
standard's schema and rule set), goes through ``loads``:

- **Depth**: at most ``MAX_DEPTH`` nested arrays and objects. Python's parser recurses (5,000
  levels raise ``RecursionError``, a 500) and so would everything that walks the value later
  (schema validation, canonical JSON, the database's JSON functions).
- **Text**: no string or key holds a lone surrogate (``"\\ud800"`` is valid JSON, but not
  Unicode: PostgreSQL cannot encode it) or NUL (``\\u0000``: PostgreSQL's text and jsonb cannot
  store it). ``text_problem`` is the same rule for plain text, used for form fields.
- ``NaN`` and ``Infinity`` are refused: they are not JSON and no other client could read them.

A problem raises ``JSONProblem`` (a ``ValueError``) naming where, as a JSON pointer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_DEPTH = 64
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class JSONProblem(ValueError):
    """``reason`` at ``pointer`` (``""`` is the whole document)."""

    def __init__(self, reason: str, pointer: str = ""):
        self.reason = reason
        self.pointer = pointer
        super().__init__(
            _("%(reason)s (at %(pointer)s)") % {"reason": reason, "pointer": pointer}
            if pointer
            else reason
        )


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None. The one rule for every stored text."""
    match = _BAD_TEXT.search(text)
    if match is None:
        return None
    char = match.group()
    if char == "\x00":
        return _("Text may not contain the NUL character (U+0000).")
    return _(
        "Text contains a lone surrogate (U+%(code)s), which is not valid Unicode; "
        "send text as UTF-8 or as paired \\u escapes."
    ) % {"code": f"{ord(char):04X}"}


def _too_deep(max_depth: int) -> str:
    return _("JSON nested too deeply: at most %(max)s levels of arrays and objects.") % {
        "max": max_depth
    }


def _escape(token: str) -> str:
    token = token.replace("~", "~0").replace("/", "~1")
    # The pointer goes back to the client in an error: show a bad character, do not echo it.
    return _BAD_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", token)


def _refuse_constant(name: str):
    raise JSONProblem(_("%(name)s is not valid JSON; send a number or null.") % {"name": name})


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, allow_non_finite: bool = False) -> Any:
    """Parse ``text`` as JSON and apply the depth and text rules; raises ``JSONProblem``.

    ``allow_non_finite`` lets ``NaN`` and ``Infinity`` through as floats, for a caller that
    checks numbers itself and names the field (the survey definition's own validation)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONProblem(
                _("The JSON is not valid UTF-8 (byte %(byte)s).") % {"byte": exc.start}
            ) from None
    try:
        value = json.loads(text, parse_constant=float if allow_non_finite else _refuse_constant)
    except RecursionError:
        raise JSONProblem(
            _too_deep(max_depth),
            _deep_pointer(text, max_depth),
        ) from None
    except JSONProblem:
        raise
    except json.JSONDecodeError as exc:
        raise JSONProblem(
            _("Not valid JSON: %(reason)s (line %(line)s, column %(column)s).")
            % {"reason": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise JSONProblem(_("Not valid JSON: %(reason)s") % {"reason": exc}) from None
    check(value, max_depth=max_depth)
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH, pointer: str = "") -> None:
    """Apply the depth and text rules to a parsed value (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, str, int]] = [(value, pointer, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise JSONProblem(problem, where)
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise JSONProblem(_too_deep(max_depth), where)
            if isinstance(item, dict):
                for key, child in item.items():
                    child_where = f"{where}/{_escape(str(key))}"
                    problem = text_problem(str(key))
                    if problem:
                        raise JSONProblem(
                            _("A key: %(problem)s") % {"problem": problem}, child_where
                        )
                    stack.append((child, child_where, depth + 1))
            else:
                stack.extend(
                    (child, f"{where}/{index}", depth + 1) for index, child in enumerate(item)
                )


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def _deep_pointer(text: str, max_depth: int) -> str:
    """Where the document first goes deeper than ``max_depth`` (best effort, for the message)."""
    path: list[list] = []  # [kind, key-or-index, expecting_key]
    last_string = ""
    for match in _TOKEN.finditer(text):
        tok = match.group()
        if tok in "[{":
            if len(path) >= max_depth:
                return "".join(f"/{_escape(str(p[1]))}" for p in path)
            path.append(["array", 0, False] if tok == "[" else ["object", "", True])
        elif tok in "]}":
            if path:
                path.pop()
        elif tok == ",":
            if path and path[-1][0] == "array":
                path[-1][1] += 1
            elif path:
                path[-1][2] = True
        elif tok == ":":
            if path:
                path[-1][1], path[-1][2] = last_string, False
        else:
            try:
                last_string = json.loads(tok)
            except ValueError:
                last_string = tok.strip('"')
    return ""


# What ``where`` names in UnstorableText's message (the argument itself stays English).
WHERE = {"query parameter": gettext_lazy("query parameter"), "field": gettext_lazy("field")}


class UnstorableText(SuspiciousOperation):
    """Form data or a query string holding text that cannot be stored: a 400 naming the field
    (``config.views.bad_request`` shows the message)."""

    def __init__(self, where: str, name: str, reason: str):
        self.field = _BAD_TEXT.sub("\ufffd", name)
        self.reason = reason
        super().__init__(
            _("The %(where)s “%(name)s” cannot be accepted: %(reason)s")
            % {"where": WHERE.get(where, where), "name": self.field, "reason": reason}
        )


def check_query_dict(data, where: str) -> None:
    """The text rule over a ``QueryDict`` (names and values); raises ``UnstorableText``."""
    for name, values in data.lists():
        for value in [name, *values]:
            if isinstance(value, str):
                reason = text_problem(value)
                if reason:
                    raise UnstorableText(where, name, reason)


class FormTextMiddleware:
    """The text rule for query strings and form data, urlencoded or multipart: a field holding
    NUL is refused with a 400 that names it before any view could hand it to the database. (A
    lone surrogate cannot arrive in UTF-8 form data: Django decodes it as U+FFFD.)

    Form data is checked when it is parsed, not here: a view may first install its own upload
    handlers (the streaming, hashing caption upload), so the middleware wraps the parsing step
    instead of reading ``request.POST`` early. File contents are not text and are not checked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check_query_dict(request.GET, "query parameter")
        load = request._load_post_and_files

        def load_and_check():
            load()
            check_query_dict(request._post, "field")

        request._load_post_and_files = load_and_check
        return self.get_response(request)
