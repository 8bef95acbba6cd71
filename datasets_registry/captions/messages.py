"""Every message the engine writes, as a template with named placeholders. Imports no Django.

The engine builds its messages from these templates (``TEMPLATE % values``), so reports stay in
English, byte for byte; the site translates them when it shows them to people:
``localize(message, gettext)`` recognises the template an English message was built from (a
regular expression per template captures the values), and fills the translated template with the
same values. A message no template produces is returned unchanged.

The templates are wrapped in ``gettext_noop`` (a no-op here) so that ``makemessages`` finds them;
they use Django's ``%(name)s`` placeholders, the form translators know. The rules' titles and
explanations (``ruleset.RULES``) are marked the same way and translated by the site with a plain
``gettext`` of the English text.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def gettext_noop(s: str) -> str:
    """Marks ``s`` for the message catalogue (``makemessages`` knows the keyword); returns it."""
    return s


# -- row issues: caption rules (``rules``) ---------------------------------------------------------
CAPTION_NOT_TEXT = gettext_noop("The caption is a %(type)s, not text.")
CAPTION_MISSING = gettext_noop("The row has no caption.")
CAPTION_EMPTY = gettext_noop("The caption is empty or only whitespace.")
CAPTION_TOO_SHORT = gettext_noop(
    "The caption has %(chars)s characters and %(words)s words; the minimum is %(min_chars)s "
    "characters and %(min_words)s words."
)
CAPTION_TOO_LONG = gettext_noop(
    "The caption has %(chars)s characters and %(words)s words; the maximum is %(max_chars)s "
    "characters and %(max_words)s words."
)
CLIP_TOKEN_LIMIT = gettext_noop(
    "The caption is %(count)s CLIP tokens long; the limit is %(limit)s."
)
LANGUAGE_NOT_ALLOWED = gettext_noop(
    "The caption looks like %(language)s (confidence %(confidence)s); allowed: %(allowed)s."
)
STRAY_WHITESPACE = gettext_noop("The caption has leading, trailing or repeated whitespace.")
EMBEDDED_NEWLINE = gettext_noop("The caption contains a line break.")
CONTROL_CHARACTERS = gettext_noop("The caption contains invisible control characters.")
MOJIBAKE = gettext_noop("The caption looks garbled by a wrong text encoding.")
CONTAINS_URL = gettext_noop("The caption contains a web address.")
CONTAINS_EMAIL = gettext_noop("The caption contains an e-mail address.")
CONTAINS_PHONE = gettext_noop("The caption contains what looks like a phone number.")
CONTAINS_MARKUP = gettext_noop("The caption contains HTML or other markup.")
PLACEHOLDER_CAPTION = gettext_noop("The caption is a placeholder, not a description.")
BANNED_TERM_NAMED = gettext_noop("The caption contains the banned term %(term)s.")
BANNED_TERM = gettext_noop("The caption contains a banned term.")
REPETITION = gettext_noop("%(phrase)s is repeated %(times)s or more times in a row.")

# -- row issues: image and licence rules ---------------------------------------------------------
IMAGE_NOT_TEXT = gettext_noop("The image reference is a %(type)s, not text.")
IMAGE_MISSING = gettext_noop("The row has no image reference.")
IMAGE_MALFORMED = gettext_noop(
    "The image reference is neither an http(s) URL nor a relative path to an image file."
)
LICENSE_MISSING = gettext_noop("The row has no licence.")
LICENSE_INVALID = gettext_noop("The licence is not a valid SPDX identifier or expression.")
LICENSE_NOT_ALLOWED = gettext_noop("The licence is not one of those allowed: %(allowed)s.")

# -- duplicates and file-level issues (``merge``, ``plan``) --------------------------------------
DUPLICATE_CAPTION = gettext_noop("The same caption appears in row %(first)s.")
NEAR_DUPLICATE_CAPTION = gettext_noop(
    "Ignoring case, spacing and punctuation, this caption repeats row %(first)s."
)
DUPLICATE_IMAGE = gettext_noop("The same image reference appears in row %(first)s.")
EMPTY_FILE = gettext_noop("The file has no data rows.")
MISSING_COLUMN_NAMED = gettext_noop(
    "The %(role)s column %(name)s is not in the file; columns found: %(found)s."
)
MISSING_COLUMN = gettext_noop(
    "No %(role)s column: expected one of %(expected)s (or name it in the column mapping); "
    "columns found: %(found)s."
)
NO_COLUMNS = gettext_noop("none")  # "columns found: none"

# -- row issues found by the readers -------------------------------------------------------------
INVALID_UTF8_BYTE = gettext_noop("Byte %(offset)s is not valid UTF-8.")
ROW_NOT_UTF8 = gettext_noop("The row is not valid UTF-8.")
VALUE_NOT_UTF8 = gettext_noop("The value is not valid UTF-8.")
NOT_JSON = gettext_noop("Not valid JSON: %(error)s.")
NOT_AN_OBJECT = gettext_noop("The line is JSON but not an object.")
ROW_UNPARSABLE = gettext_noop("The row cannot be parsed: %(error)s.")
FIELD_COUNT = gettext_noop("The row has %(fields)s fields; the header has %(width)s.")
LINE_TOO_LONG = gettext_noop("Line %(row)s is longer than %(limit)s and was skipped.")

# -- a file that cannot be read at all (``UnreadableFile``, ``InputError``) ----------------------
FILE_EMPTY = gettext_noop("The file is empty.")
HEADER_UNPARSABLE = gettext_noop("The header row cannot be parsed: %(error)s.")
HEADER_NOT_UTF8 = gettext_noop("The header row is not valid UTF-8.")
NOT_PARQUET = gettext_noop("Not a readable Parquet file (truncated or corrupt?): %(error)s")
ROW_GROUP_UNREADABLE = gettext_noop(
    "Row group %(group)s of the Parquet file cannot be read: %(error)s"
)
UNKNOWN_FORMAT = gettext_noop("Unknown format %(format)s; expected one of %(expected)s.")
UNKNOWN_COMPRESSION = gettext_noop("Unknown compression %(compression)s.")
UNKNOWN_FILE_NAME = gettext_noop(
    "Cannot tell the format of %(name)s: use .jsonl, .csv, .tsv or .parquet, optionally "
    "followed by .gz or .zst."
)
TOO_MANY_ROWS = gettext_noop(
    "The file has more than %(limit)s rows, the row-count limit: it was not validated (split it "
    "into several versions, or ask an administrator to raise the limit)."
)
STREAM_CORRUPT = gettext_noop("The %(compression)s stream is corrupt or truncated (%(error)s).")
TOO_LARGE_INFLATED = gettext_noop(
    "The file inflates to more than %(limit)s bytes, the decompressed-size limit: it was not "
    "validated (is it a compression bomb?)."
)
EXPANSION_RATIO = gettext_noop(
    "The file inflates to more than %(ratio)s times its compressed size, the expansion-ratio "
    "limit (%(total)s bytes from its first %(read)s compressed bytes): it was not validated (is "
    "it a compression bomb?)."
)
ROWS_UNCHECKABLE = gettext_noop("Rows %(first)s to %(last)s cannot be checked: %(error)s")

# -- a rule set that is not valid (``ruleset.validate_ruleset``, besides the schema's own) -------
KNOWN_RULES = gettext_noop("%(error)s; known rules: %(rules)s")
MIN_OVER_MAX = gettext_noop(
    "%(low)s (%(low_value)s) is greater than caption_too_long.%(high)s (%(high_value)s)."
)
STRUCTURAL_RULE_OFF = gettext_noop("%(code)s checks the file's structure and cannot be off.")
NOT_A_LICENSE_ID = gettext_noop("%(value)s is not an SPDX licence id or LicenseRef-….")
BLANK_BANNED_TERM = gettext_noop("A banned term cannot be blank.")

# Every template above, in the order they are tried (see ``localize``).
TEMPLATES: tuple[str, ...] = tuple(
    value for name, value in sorted(globals().items()) if name.isupper() and isinstance(value, str)
)

# Captured values that are words, translated too (``columns found: none``).
WORDS: tuple[str, ...] = (NO_COLUMNS,)
TEMPLATES = tuple(t for t in TEMPLATES if t not in WORDS)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(template: str) -> re.Pattern[str]:
    parts, at = [], 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[at : m.start()]))
        parts.append(f"(?P<{m.group(1)}>.*?)")
        at = m.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)


def _literal_length(template: str) -> int:
    return len(_PLACEHOLDER.sub("", template))


# The most specific template first: the one with the most fixed text.
_COMPILED: list[tuple[str, re.Pattern[str]]] = [
    (t, _pattern(t)) for t in sorted(TEMPLATES, key=lambda t: (-_literal_length(t), t))
]


def match(message: str) -> tuple[str, dict[str, str]] | None:
    """``(template, values)`` of the template that produces ``message``; None if none does."""
    for template, pattern in _COMPILED:
        m = pattern.fullmatch(message)
        if m is not None:
            return template, m.groupdict()
    return None


def localize(message: str, gettext: Callable[[str], str]) -> str:
    """``message`` (English, as the engine wrote it) in the language of ``gettext``: its template
    translated and filled with the values it was built with. Unknown messages come back as they
    are, and so does a message whose translation does not fit its values."""
    found = match(message)
    if found is None:
        return message
    template, values = found
    values = {k: gettext(v) if v in WORDS else v for k, v in values.items()}
    try:
        return gettext(template) % values
    except (KeyError, ValueError, TypeError):
        return message


__all__ = ["TEMPLATES", "gettext_noop", "localize", "match"]
