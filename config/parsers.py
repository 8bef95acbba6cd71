"""The API's JSON parser: ``config.jsonsafe`` behind DRF, so every JSON body obeys one rule."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from . import jsonsafe
from .errors import Invalid


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth limit and the text rule; a problem is a 400 naming the
    JSON pointer: ``{"detail": "...", "errors": {"/sections/0/title": ["..."]}}``."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(
                _("The body is not valid %(encoding)s text.") % {"encoding": encoding}
            ) from None
        try:
            return jsonsafe.loads(text)
        except jsonsafe.JSONProblem as exc:
            key = exc.pointer or "body"
            raise Invalid(str(exc), errors={key: [exc.reason]}) from None
