"""Finds UI text that is not marked for translation, in templates and in Python sources.

Templates: every text node and every human-facing attribute (``title``, ``alt``, ``placeholder``,
``aria-label``, a button's ``value``) outside ``{% translate %}``/``{% blocktranslate %}``
holding a word is reported, except inside ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``,
``<script>``, ``<style>`` and ``<svg>`` (commands, hashes and drawings) and the short allow-list
below. Python: a literal (or f-string) given as the message of a domain error, a validation
error or a flash message, or as a ``label``, ``help_text``, ``verbose_name``, ``empty_label``,
or a ``TextChoices`` label; and a form field declared without a label (its English name would
show).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "config",
    "governance",
    "surveys",
    "datasets_registry",
    "models_registry",
    "notifications",
    "transparency",
    "discovery",
)
# Words that read the same in every language here: names, formats and units.
ALLOWED = {
    "API",
    "OMI",
    "JSON",
    "JSON-LD",
    "CSV",
    "XLSX",
    "SVG",
    "Atom",
    "RSS",
    "sha256",
    "SHA-256",
    "Croissant",
    "Markdown",
    "OpenAPI",
    "Discord",
    "Slack",
    "GitHub",
    "Hugging Face",
    "safetensors",
    "SPDX",
    "AVID",
    "MITRE ATLAS",
    "htmx",
    "curl",
    "omi",
    "tus",
    "UTC",
    "OMI Commons",
    "English",
    "Italiano",
    "Português (Brasil)",
}
WORD = re.compile(r"[^\W\d_]{2,}")
SKIPPED_ELEMENTS = {"code", "pre", "kbd", "samp", "script", "style", "svg", "textarea"}
TEXT_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
TRANSLATING_TAGS = {"translate", "trans"}
TRANSLATING_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim"}
MARK = "\x00"  # stands for whatever a template tag or variable renders


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def needs_translation(text: str) -> bool:
    text = " ".join(text.replace(MARK, " ").split())
    if not text or text in ALLOWED:
        return False
    for allowed in sorted(ALLOWED, key=len, reverse=True):
        text = text.replace(allowed, " ")
    return bool(WORD.search(text))


def template_files() -> list[Path]:
    roots = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(
        p
        for root in roots
        if root.exists()
        for p in root.rglob("*")
        if p.suffix in {".html", ".txt"}
    )


def _flatten(source: str) -> list[tuple[str, int]]:
    """The template's text with every tag replaced by MARK and translated blocks removed, as
    ``(text, line)`` pieces."""
    pieces: list[tuple[str, int]] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                closing = None
                pieces.append((MARK, token.lineno))
            continue
        if token.token_type == TokenType.TEXT:
            pieces.append((token.contents, token.lineno))
        elif token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if name in TRANSLATING_BLOCKS:
                closing = TRANSLATING_BLOCKS[name]
            elif name in SKIPPED_BLOCKS:
                closing = SKIPPED_BLOCKS[name]
            pieces.append((MARK, token.lineno))
        elif token.token_type == TokenType.VAR:
            pieces.append((MARK, token.lineno))
    return pieces


class _TextFinder(HTMLParser):
    def __init__(self, path: str, line_of):
        super().__init__(convert_charrefs=True)
        self.path, self.line_of, self.skipping, self.findings = path, line_of, [], []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (
                name in TEXT_ATTRIBUTES
                or (name == "value" and attrs.get("type") in {"submit", "button", "reset"})
            ):
                self._check(value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.pop()

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self._check(data)

    def _check(self, text: str):
        if needs_translation(text):
            line = self.line_of(self.getpos()[0])
            self.findings.append(
                Finding(self.path, line, " ".join(text.replace(MARK, "…").split()))
            )


def scan_template(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    pieces = _flatten(source)
    text = "".join(piece for piece, _ in pieces)
    # Map the flattened text's line numbers back to the template's, roughly (for the message).
    starts: list[tuple[int, int]] = []
    flat_line = 1
    for piece, line in pieces:
        starts.append((flat_line, line))
        flat_line += piece.count("\n")

    def line_of(flat: int) -> int:
        best = 1
        for start, line in starts:
            if start > flat:
                break
            best = line
        return best

    relative = str(path.relative_to(ROOT))
    if path.suffix == ".txt":
        return [
            Finding(relative, line, " ".join(piece.split()))
            for piece, line in pieces
            if needs_translation(piece)
        ]
    finder = _TextFinder(relative, line_of)
    finder.feed(text)
    finder.close()
    return finder.findings


# --- Python -------------------------------------------------------------------------------------

MESSAGE_CALLS = {
    "DomainError",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "TooLarge",
    "Conflict",
    "RateLimited",
    "Unavailable",
    "ValidationError",
    "PermissionDenied",
    "AuthenticationFailed",
}
FLASH = {"success", "info", "warning", "error", "debug", "add_message"}
TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def python_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = set(path.relative_to(ROOT).parts)
            if parts & {"migrations", "management"} or path.name == "settings.py":
                continue
            if "captions" in parts:  # the pure engine: its messages are checked by their own test
                continue
            files.append(path)
    return sorted(files)


def _literal(node: ast.AST | None) -> bool:
    """A piece of English written into the call: a string with a word, or an f-string."""
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and needs_translation(str(v.value)) for v in node.values
        )
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return needs_translation(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _literal(node.left) or _literal(node.right)
    return False


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _error_texts(node: ast.AST) -> list[ast.AST]:
    """The messages inside an ``errors={...}`` mapping (lists of strings per field)."""
    if isinstance(node, ast.Dict):
        return [t for v in node.values for t in _error_texts(v)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [t for v in node.elts for t in _error_texts(v)]
    return [node]


FORM_BASES = {"Form", "ModelForm"}


def _unlabelled_form_field(item: ast.AST) -> bool:
    """A form field declared without ``label=``: Django then shows its English attribute name
    ("Summary") in every language. Hidden fields show no label."""
    if not (
        isinstance(item, ast.Assign)
        and isinstance(item.targets[0], ast.Name)
        and isinstance(item.value, ast.Call)
        and _name(item.value.func).endswith("Field")
    ):
        return False
    keywords = {kw.arg: kw.value for kw in item.value.keywords}
    widget = keywords.get("widget")
    if widget is not None and "Hidden" in ast.unparse(widget):
        return False
    return "label" not in keywords


def scan_python(path: Path) -> list[Finding]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = str(path.relative_to(ROOT))
    findings: list[Finding] = []

    def report(node: ast.AST):
        text = ast.unparse(node)
        findings.append(Finding(relative, node.lineno, text[:120]))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in MESSAGE_CALLS:
                if node.args and _literal(node.args[0]):
                    report(node.args[0])
                for kw in node.keywords:
                    if kw.arg in {"errors", "detail", "message"}:
                        for text in _error_texts(kw.value):
                            if _literal(text):
                                report(text)
            elif (
                name in FLASH
                and isinstance(node.func, ast.Attribute)
                and _name(node.func.value) == "messages"
            ):
                message = node.args[2 if name == "add_message" else 1 : None]
                if message and _literal(message[0]):
                    report(message[0])
            for kw in node.keywords:
                if kw.arg in TEXT_KEYWORDS and _literal(kw.value):
                    report(kw.value)
        elif isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & CHOICES_BASES:
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Tuple):
                    label = item.value.elts[-1]
                    if len(item.value.elts) > 1 and _literal(label):
                        report(label)
        elif isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & FORM_BASES:
            for item in node.body:
                if _unlabelled_form_field(item):
                    name = item.targets[0].id
                    findings.append(
                        Finding(relative, item.lineno, f"{name}: a form field with no label=")
                    )
        elif isinstance(node, ast.ClassDef) and node.name == "Meta":
            for item in node.body:
                if (
                    isinstance(item, ast.Assign)
                    and isinstance(item.targets[0], ast.Name)
                    and item.targets[0].id in {"help_texts", "labels"}
                    and isinstance(item.value, ast.Dict)
                ):
                    for value in item.value.values:
                        if _literal(value):
                            report(value)
    return findings
