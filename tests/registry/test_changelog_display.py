"""An adopted version's changelog no longer says "(draft)" (issue 16, defect 19)."""

from datasets_registry.views.standards import changelog_for_display


def test_draft_in_a_heading_goes_once_the_version_is_not_a_draft():
    text = "## 1.1.0 (draft)\n\nMakes `maintenance` required (draft wording kept in text).\n"
    assert changelog_for_display(text, "draft") == text
    shown = changelog_for_display(text, "adopted")
    assert shown.startswith("## 1.1.0\n")
    assert "(draft wording kept in text)" in shown  # only headings change
    assert changelog_for_display("", "adopted") == ""
