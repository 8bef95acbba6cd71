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


def test_the_scan_finds_a_form_field_without_a_label(tmp_path, monkeypatch):
    source = tmp_path / "forms.py"
    source.write_text(
        "from django import forms\n"
        "from django.utils.translation import gettext_lazy as _\n"
        "class F(forms.Form):\n"
        "    title = forms.CharField(max_length=10)\n"
        "    body = forms.CharField(label=_('Body'))\n"
        "    token = forms.CharField(widget=forms.HiddenInput)\n"
    )
    monkeypatch.setattr(scan, "ROOT", tmp_path)
    assert [(f.line, f.text) for f in scan.scan_python(source)] == [
        (4, "title: a form field with no label=")
    ]
