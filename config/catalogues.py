"""The message catalogues in ``locale/``: compiled from their ``.po`` sources with Babel, so a
fresh clone needs no GNU gettext (``make install`` and the test suite compile what is stale),
and checked for completeness (no missing, fuzzy or mismatched entries).

The ``.mo`` files are build output (ignored by git), like ``.pyc`` files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.checkers import python_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAINS = ("django", "djangojs")


def sources(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(po for domain in DOMAINS for po in locale_dir.glob(f"*/LC_MESSAGES/{domain}.po"))


def _read(po: Path):
    with po.open("rb") as fh:
        return read_po(fh, locale=po.parent.parent.name, domain=po.stem)


def compile_catalogue(po: Path) -> Path:
    """Write ``po``'s ``.mo`` beside it (fuzzy entries left out, as msgfmt does)."""
    catalog = _read(po)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    mo = po.with_suffix(".mo")
    tmp = mo.with_suffix(".mo.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(mo)
    return mo


def stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_all(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Compile every catalogue whose ``.mo`` is missing or older than its ``.po``."""
    return [compile_catalogue(po) for po in sources(locale_dir) if force or stale(po)]


@dataclass
class Completeness:
    locale: str
    domain: str
    total: int = 0
    translated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def completeness(po: Path) -> Completeness:
    """How much of ``po`` is translated, and each entry that is missing, fuzzy or whose
    placeholders (``%(name)s``) differ from the English."""
    catalog = _read(po)
    report = Completeness(locale=po.parent.parent.name, domain=po.stem)
    for message in catalog:
        if not message.id:
            continue  # the header
        report.total += 1
        ident = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            report.problems.append(f"fuzzy: {ident!r}")
        elif not all(strings):
            report.problems.append(f"untranslated: {ident!r}")
        else:
            try:
                python_format(catalog, message)
            except Exception as exc:  # babel's TranslationError: the placeholders differ
                report.problems.append(f"placeholders: {ident!r}: {exc}")
            else:
                report.translated += 1
    return report
