"""The catalogues in ``locale/`` (issue 18): complete for every locale (no untranslated, fuzzy or
mismatched entry), current with the sources (``makemessages`` changes nothing), and compiled
without GNU gettext."""

import gettext
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from config import catalogues

LOCALES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
FOLDERS = {"it": "it", "pt-br": "pt_BR"}


def test_every_site_language_has_both_catalogues():
    for code in LOCALES:
        for domain in catalogues.DOMAINS:
            assert (catalogues.LOCALE_DIR / FOLDERS[code] / "LC_MESSAGES" / f"{domain}.po").exists()


@pytest.mark.parametrize(
    "po", catalogues.sources(), ids=lambda p: f"{p.parent.parent.name}-{p.stem}"
)
def test_the_catalogue_is_complete(po):
    report = catalogues.completeness(po)
    assert report.total > 0
    assert not report.problems, f"{len(report.problems)} problems:\n" + "\n".join(
        report.problems[:50]
    )
    assert report.percent == 100.0


@pytest.mark.parametrize(
    "po", catalogues.sources(), ids=lambda p: f"{p.parent.parent.name}-{p.stem}"
)
def test_babel_compiles_a_catalogue_python_can_read(po, tmp_path):
    copy = tmp_path / po.parent.parent.name / "LC_MESSAGES" / po.name
    copy.parent.mkdir(parents=True)
    shutil.copy(po, copy)
    mo = catalogues.compile_catalogue(copy)
    assert not catalogues.stale(copy)
    with mo.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    assert translations.info()["language"] == po.parent.parent.name


def _comparable(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')]


@pytest.mark.skipif(
    not shutil.which("xgettext"), reason="makemessages needs GNU gettext's xgettext"
)
def test_makemessages_leaves_no_diff(tmp_path):
    """The catalogues hold exactly the messages of today's sources: run ``makemessages`` on a
    copy of the checkout and compare."""
    root = catalogues.LOCALE_DIR.parent
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    copy = tmp_path / "checkout"
    for name in filter(None, files):
        source = root / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = {"DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    for domain in catalogues.DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, "-l", "it", "-l", "pt_BR"],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
    for po in catalogues.sources():
        fresh = copy / po.relative_to(root)
        assert _comparable(fresh.read_text()) == _comparable(po.read_text()), (
            f"{po.relative_to(root)} is not current: run `manage.py makemessages -l it -l pt_BR` "
            f"(and `-d djangojs`), translate what is new, and commit."
        )
