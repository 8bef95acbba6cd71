"""The regular expressions behind the text rules, in the two forms the engine needs: Arrow's
(RE2, vectorised over a batch) and Python's (to find the span of a match in one displayed row)."""

from __future__ import annotations

import re

# Patterns are RE2 (Arrow) syntax; the same strings work with Python's ``re``, which finds the
# part to highlight when a flagged row is displayed (``find_span``).
# A bare domain ("dogs.org", "mail.google.com") counts only where it starts a word: not after
# "@" (the domain of an e-mail address is contains_email's, not a web address) nor inside a longer
# name. RE2 has no look-behind, so the pattern consumes the character before; ``URL_SPAN`` (Python)
# says the same with a look-behind, for the highlighted part.
_TLD = r"(?:com|org|net|io|info|biz|co\.uk|de|fr|ru|cn|jp)"
_BARE = r"(?:[a-z0-9][a-z0-9-]*\.)+" + _TLD + r"\b(?:/[^\s]*)?"
_NOT_BEFORE = r"@a-z0-9_.-"
URL = (
    r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"']+"
    r"|(?:^|[^" + _NOT_BEFORE + r"])" + _BARE
)
URL_SPAN = r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"']+|(?<![" + _NOT_BEFORE + r"])" + _BARE
EMAIL = r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"
PHONE = r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\b\d{3}[\s.-])\d{3}[\s.-]?\d{4}\b|\+\d{1,3}[\s.-]?\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b|\+\d{9,14}\b"
MARKUP = r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]{2,8}|#[0-9]{2,6}|#x[0-9a-fA-F]{2,6});|\[/?(?:b|i|u|url|img|quote|code|size|color)(?:=[^\]]*)?\]|\[[^\]\n]+\]\([^)\s]+\)|<!--"
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
MOJIBAKE = "[ÃÂ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€|\ufffd|Ã¢â‚¬"
WHITESPACE = r"^\s|\s$|[ \t]{2,}|\t"
NEWLINE = "[\r\n\u2028\u2029]"
PLACEHOLDER = (
    r"^(?:image|img|photo|picture|pic|untitled|no caption|no description|caption|description|"
    r"none|null|nil|nan|n/?a|na|placeholder|todo|tbd|test|unknown|empty|blank|[-.?!*_ ]+)[.!]?$"
    r"|^[\w\-. ()]+\.(?:jpe?g|png|gif|webp|bmp|tiff?|heic|heif|avif)$"
    r"|^(?:img|dsc|dscn|dscf|dcim|pxl|screenshot|photo|image)[_\- ]?\d{2,}\b"
    r"|lorem ipsum"
)
IMAGE_URL = r"^(?i:https?|s3|gs)://[^\s/?#]+[^\s]*$"
IMAGE_PATH = (
    r"^[^\s/\\\x00-\x1f][^\s\\\x00-\x1f]*\.(?i:jpe?g|png|gif|webp|bmp|tiff?|heic|heif|avif)$"
)
IMAGE_REFERENCE = f"(?:{IMAGE_URL})|(?:{IMAGE_PATH})"

RARE = "|".join(f"(?:{p})" for p in (URL, EMAIL, PHONE, MARKUP, CONTROL, MOJIBAKE))
# PLACEHOLDER is matched on the trimmed, lower-cased caption. On the raw caption, this version
# matches every ASCII caption that one does (and a few more), so the combined pass below finds the
# candidates; captions with other characters (whose case mapping RE2's (?i) does not mirror
# exactly: Arrow lower-cases "İ" to "i") are all candidates.
_EDGE_SPACE = r"[\s\x0b\x1c-\x1f]*"
PLACEHOLDER_CANDIDATE = (
    "(?i:" + PLACEHOLDER.replace("^", "^" + _EDGE_SPACE).replace("$", _EDGE_SPACE + "$") + ")"
)
ANY_PATTERN = "|".join(f"(?:{p})" for p in (WHITESPACE, NEWLINE, RARE, PLACEHOLDER_CANDIDATE))

_PY = {
    "contains_url": re.compile(URL_SPAN),
    "contains_email": re.compile(EMAIL),
    "contains_phone": re.compile(PHONE),
    "contains_markup": re.compile(MARKUP),
    "control_characters": re.compile(CONTROL),
    "mojibake": re.compile(MOJIBAKE),
    "stray_whitespace": re.compile(r"^\s+|\s+$|[ \t]{2,}|\t"),
    "embedded_newline": re.compile(NEWLINE),
}


def find_span(
    rule: str, value: str, banned_terms: list[str] | None = None
) -> tuple[int, int] | None:
    """Where in ``value`` the rule matched (for highlighting a displayed row), or None."""
    pattern = _PY.get(rule)
    if rule == "banned_term" and banned_terms:
        terms = "|".join(re.escape(t.strip()) for t in banned_terms if t.strip())
        pattern = re.compile(r"(?i)(?<!\w)(" + terms + r")(?!\w)") if terms else None
    if pattern is None or not value:
        return None
    m = pattern.search(value)
    return (m.start(), m.end()) if m else None
