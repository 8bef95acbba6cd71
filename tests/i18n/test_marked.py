"""Every piece of UI text is marked for translation (issue 18): a scan of the templates and of
the Python sources (``tests/i18n/scan.py`` says what counts), with a short allow-list there."""

import pytest

from . import scan


@pytest.mark.parametrize("path", scan.template_files(), ids=lambda p: str(p.relative_to(scan.ROOT)))
def test_template_text_is_marked_for_translation(path):
    findings = scan.scan_template(path)
    assert not findings, "Text not marked for translation:\n" + "\n".join(map(str, findings))


@pytest.mark.parametrize("path", scan.python_files(), ids=lambda p: str(p.relative_to(scan.ROOT)))
def test_python_messages_are_marked_for_translation(path):
    findings = scan.scan_python(path)
    assert not findings, "Messages not marked for translation:\n" + "\n".join(map(str, findings))


def test_the_scan_finds_what_it_should():
    import ast  # noqa: F401  (the scan's own parser)

    assert scan.needs_translation("Working groups")
    assert not scan.needs_translation("  · \x00 ")
    assert not scan.needs_translation("JSON")
    assert not scan.needs_translation("sha256 \x00")
