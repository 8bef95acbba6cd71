import json

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config import jsonsafe
from config.markdown import MarkdownTextarea

from .files import FORMATS
from .models import Dataset, StandardVersion


class JSONTextField(forms.CharField):
    """A textarea holding JSON; cleans to the parsed value with a clear message when it is not."""

    widget = forms.Textarea

    def __init__(self, *args, expect=dict, **kwargs):
        self.expect = expect
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"})
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value

    def clean(self, value):
        text = super().clean(value)
        if not (text or "").strip():
            return self.expect()
        try:
            # The platform's loader: depth limit and text rule, problems named by JSON pointer.
            parsed = jsonsafe.loads(text)
        except jsonsafe.JSONProblem as exc:
            raise forms.ValidationError(str(exc)) from None
        if not isinstance(parsed, self.expect):
            raise forms.ValidationError(gettext("This must be a JSON object."))
        return parsed


def standard_choices():
    return [
        (v.ref, f"{v.standard.name} {v.version}")
        for v in StandardVersion.objects.adopted()
        .select_related("standard")
        .order_by("standard__name")
    ]


class DatasetForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label=_("Slug"),
        help_text=_("Its address: /datasets/&lt;slug&gt;/. Made from the name when left empty."),
    )
    summary = forms.CharField(
        max_length=300, required=False, label=_("Summary"), help_text=_("One sentence.")
    )
    description = forms.CharField(
        widget=MarkdownTextarea(attrs={"rows": 6}),
        required=False,
        label=_("Description"),
        help_text="Markdown.",
    )
    license = forms.CharField(
        max_length=200,
        label=_("Licence"),
        help_text=_("An SPDX licence expression, e.g. CC-BY-4.0, CC0-1.0 or MIT OR Apache-2.0."),
    )
    standard = forms.ChoiceField(
        choices=(),
        label=_("Standard"),
        help_text=_("The adopted standard the metadata conforms to."),
    )
    visibility = forms.ChoiceField(
        choices=Dataset.Visibility.choices,
        widget=forms.RadioSelect,
        initial=Dataset.Visibility.PUBLIC,
        label=_("Visibility"),
        help_text=_("A private dataset is seen only by its owner, maintainers and staff."),
    )
    homepage = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label=_("Homepage")
    )
    metadata = JSONTextField(
        required=False,
        label=_("Metadata"),
        help_text=_(
            "The dataset card, as JSON conforming to the standard's schema "
            "(see the standard's page)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = standard_choices()


class DatasetEditForm(DatasetForm):
    status = forms.ChoiceField(choices=Dataset.Status.choices, label=_("Status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["slug"]


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Caption file"),
        required=False,
        help_text=_("JSON Lines, CSV, TSV or Parquet, optionally gzip- or zstd-compressed."),
    )
    upload_id = forms.CharField(
        required=False,
        label=_("Or: a completed resumable upload"),
        help_text=_("The id of an upload sent with `omi` or any tus client, instead of a file."),
    )
    version = forms.CharField(
        max_length=64,
        label=_("Version"),
        help_text=_("A label such as 1.0.0 or 2024-06; unique in the dataset."),
    )
    format = forms.ChoiceField(
        choices=[("", _("Detect from the file")), *[(f, f) for f in FORMATS]],
        required=False,
        label=_("Format"),
    )
    sha256 = forms.CharField(
        required=False,
        label=_("sha256 (optional)"),
        help_text=_("If you give your own, a mismatch is refused."),
    )
    caption_column = forms.CharField(
        required=False,
        label=_("Caption column"),
        help_text=_("Detected (text, caption, …) when empty."),
    )
    image_column = forms.CharField(
        required=False,
        label=_("Image column"),
        help_text=_("Detected (file_name, image, url, …) when empty."),
    )
    license_column = forms.CharField(
        required=False,
        label=_("License column"),
        help_text=_("Detected (license, …) when empty."),
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Notes")
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("upload_id") or "").strip():
            self.add_error("file", gettext("Choose a file (or give the id of a completed upload)."))
        return data


class MaintainerForm(forms.Form):
    username = forms.CharField(max_length=150, label=_("Username"))


class StandardVersionForm(forms.Form):
    version = forms.CharField(
        max_length=64, label=_("Version"), help_text=_("Semantic version, e.g. 1.1.0.")
    )
    schema = JSONTextField(
        label=_("JSON Schema (2020-12) for dataset metadata"),
        widget=forms.Textarea(attrs={"rows": 20, "class": "mono", "spellcheck": "false"}),
    )
    rules = JSONTextField(
        required=False,
        label=_("Caption rule set"),
        help_text=_(
            "Which caption checks run, with thresholds and severities; empty means the defaults."
        ),
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono", "spellcheck": "false"}),
    )
    changelog = forms.CharField(
        widget=MarkdownTextarea(attrs={"rows": 8}),
        required=False,
        label=_("Changelog"),
        help_text="Markdown.",
    )


class ProposeForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        label=_("Title"),
        help_text=_("Left empty: a title is made for you."),
    )
    summary = forms.CharField(max_length=1000, required=False, label=_("Summary"))


class StandardForm(forms.Form):
    group = forms.ChoiceField(
        choices=(),
        label=_("Group"),
        help_text=_("Its chairs edit drafts; its members adopt versions."),
    )
    name = forms.CharField(max_length=200, label=_("Name"))
    slug = forms.SlugField(
        max_length=80, label=_("Slug"), help_text=_("Its address: /standards/&lt;slug&gt;/.")
    )
    description = forms.CharField(
        widget=MarkdownTextarea(attrs={"rows": 5}),
        required=False,
        label=_("Description"),
        help_text="Markdown.",
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.slug, g.name) for g in groups]
