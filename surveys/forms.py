"""Website forms: survey settings and the question editor. Answer pages are read by each
question's kind (``kinds.QuestionKind.read_form``) because their shape depends on the questions."""

import json

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from config import jsonsafe
from config.kindforms import kind_of, show_fields_of_kind
from config.markdown import MarkdownTextarea

from . import kinds, translations
from .models import Question, Survey

KIND_CHOICES = Question.Kind.choices
OP_CHOICES = [("", gettext_lazy("Always show")), *Question.Op.choices]
# Shown beside the choice and when an owner saves it (docs/surveys.md, "Live results"); in
# English here, translated where it is shown.
LIVE_WARNING = gettext_noop(
    "Live results are published while the survey is open and refreshed only after every k new "
    "responses (k is the minimum cell size), so that no single person's answers can be read "
    "from a change. Whoever knows who answered within one batch still learns about that batch: "
    "choose “After the survey closes” when that matters."
)
NO_GROUP = gettext_noop("Only staff may manage a survey without an owning group: choose a group.")


def _live_help() -> str:
    return _("Live: %(warning)s") % {"warning": _(LIVE_WARNING)}


live_help = lazy(_live_help, str)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class SurveySettingsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    introduction = forms.CharField(
        label=gettext_lazy("Introduction"),
        widget=MarkdownTextarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("Markdown."),
    )
    group = forms.ChoiceField(required=False, label=gettext_lazy("Owning working group"))
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens at"),
        required=False,
        widget=DateTimeInput(),
        help_text=gettext_lazy("Empty: as soon as it is opened (UTC)."),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes at"),
        required=False,
        widget=DateTimeInput(),
        help_text=gettext_lazy("Closed and results frozen then (UTC)."),
    )
    audience = forms.ChoiceField(label=gettext_lazy("Audience"), choices=Survey.Audience.choices)
    anonymity = forms.ChoiceField(label=gettext_lazy("Anonymity"), choices=Survey.Anonymity.choices)
    results_visibility = forms.ChoiceField(
        label=gettext_lazy("Results visibility"),
        choices=Survey.ResultsVisibility.choices,
        help_text=live_help(),
    )
    min_cell_size = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=5,
        label=gettext_lazy("Minimum cell size (k)"),
        help_text=gettext_lazy("Counts below k show as “fewer than k” in public results."),
    )
    allow_edit = forms.BooleanField(
        required=False, label=gettext_lazy("Respondents may edit their answers until the close")
    )
    show_free_text = forms.BooleanField(
        required=False,
        label=gettext_lazy("Publish free-text answers (when at least k people answered)"),
    )

    def __init__(self, *args, groups=(), staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.fields["group"].choices = [("", _("No group (staff only)"))] + [
            (g.slug, g.name) for g in groups
        ]

    def clean_group(self):
        group = self.cleaned_data["group"]
        if not group and not self.staff:
            raise forms.ValidationError(_(NO_GROUP))
        return group

    def apply(self, d: dict) -> None:
        """Write the cleaned settings into a definition."""
        data = self.cleaned_data
        for field in (
            "title",
            "introduction",
            "audience",
            "anonymity",
            "results_visibility",
            "min_cell_size",
            "allow_edit",
            "show_free_text",
        ):
            d[field] = data[field]
        d["group"] = data["group"] or None
        d["opens_at"] = data["opens_at"].isoformat() if data["opens_at"] else None
        d["closes_at"] = data["closes_at"].isoformat() if data["closes_at"] else None


class QuestionForm(forms.Form):
    section = forms.TypedChoiceField(label=gettext_lazy("Section"), coerce=int, initial=0)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=KIND_CHOICES)
    prompt = forms.CharField(label=gettext_lazy("Prompt"), max_length=500)
    help = forms.CharField(
        label=pgettext_lazy("survey question", "Help"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Choice, ranking and matrix questions: one option per line."),
    )
    rows = forms.CharField(
        label=gettext_lazy("Rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Matrix questions: one row per line."),
    )
    min = forms.FloatField(
        label=gettext_lazy("Min"),
        required=False,
        help_text=gettext_lazy("Number and scale questions."),
    )
    max = forms.FloatField(label=gettext_lazy("Max"), required=False)
    integer = forms.BooleanField(required=False, label=gettext_lazy("Whole numbers only"))
    min_selections = forms.IntegerField(
        label=gettext_lazy("Min selections"), required=False, min_value=0
    )
    max_selections = forms.IntegerField(
        label=gettext_lazy("Max selections"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Multiple choice; for ranking: rank the top N."),
    )
    min_label = forms.CharField(
        required=False, max_length=100, label=gettext_lazy("Scale: low end label")
    )
    max_label = forms.CharField(
        required=False, max_length=100, label=gettext_lazy("Scale: high end label")
    )
    condition_question = forms.ChoiceField(
        required=False, label=gettext_lazy("Show only if the answer to")
    )
    condition_op = forms.ChoiceField(
        required=False, choices=OP_CHOICES, label=gettext_lazy("is / includes")
    )
    condition_value = forms.CharField(
        required=False,
        max_length=100,
        label=gettext_lazy("Value"),
        help_text=gettext_lazy("An option key (choice questions) or a number."),
    )

    # The fields only some kinds have, and their empty values (issue 16, defect 15).
    KIND_SPECIFIC = {
        "options": "",
        "rows": "",
        "min": None,
        "max": None,
        "integer": False,
        "min_selections": None,
        "max_selections": None,
        "min_label": "",
        "max_label": "",
    }

    @classmethod
    def fields_by_kind(cls) -> dict[str, tuple[str, ...]]:
        """Each kind's own fields: options and rows where it has them, and its constraints."""
        return {
            name: tuple(
                f
                for f in cls.KIND_SPECIFIC
                if (f == "options" and k.has_options)
                or (f == "rows" and k.has_rows)
                or f in k.constraints
            )
            for name, k in kinds.KINDS.items()
        }

    def __init__(self, *args, sections=(), earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind_of(self, "kind", kinds.KINDS, KIND_CHOICES[0][0])
        show_fields_of_kind(self, "kind", self.fields_by_kind(), self.kind)
        self.fields["section"].choices = [
            (i, s.get("title") or _("Section %(number)s") % {"number": i + 1})
            for i, s in enumerate(sections)
        ]
        self.fields["condition_question"].choices = [("", _("(no condition)"))] + [
            (q["key"], f"{q['key']}: {q['prompt'][:60]}") for q in earlier
        ]
        # The prompt and help in each other language of the site (the author's translations,
        # shown to respondents who read that language). Option labels keep theirs when the
        # options are saved again; they are given in a definition (JSON import).
        for language, name in self.other_languages():
            self.fields[f"prompt_{language}"] = forms.CharField(
                required=False,
                max_length=500,
                label=_("Prompt (%(language)s)") % {"language": name},
            )
            self.fields[f"help_{language}"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=_("Help (%(language)s)") % {"language": name},
            )

    @staticmethod
    def other_languages() -> list[tuple[str, str]]:
        """(field suffix, name) of the site's languages other than its source language."""
        source = translations.normal(settings.LANGUAGE_CODE)
        return [
            (code.replace("-", "_"), str(name))
            for code, name in settings.LANGUAGES
            if translations.normal(code) != source
        ]

    @staticmethod
    def _language_key(suffix: str) -> str:
        return translations.normal(suffix) or suffix

    @classmethod
    def initial_from(cls, q: dict, section: int) -> dict:
        c = q.get("constraints") or {}
        cond = q.get("show_if") or {}
        return {
            "section": section,
            "kind": q["kind"],
            "prompt": q["prompt"],
            "help": q.get("help", ""),
            "required": q.get("required", False),
            "options": "\n".join(o["label"] for o in q.get("options", [])),
            "rows": "\n".join(r["label"] for r in q.get("rows", [])),
            **{key: c.get(key) for key in ("min", "max", "min_selections", "max_selections")},
            "integer": c.get("integer", False),
            "min_label": c.get("min_label", ""),
            "max_label": c.get("max_label", ""),
            "condition_question": cond.get("question", ""),
            "condition_op": cond.get("op", ""),
            "condition_value": "" if cond.get("value") is None else str(cond.get("value")),
            **{
                f"{field}_{suffix}": (q.get("translations") or {})
                .get(cls._language_key(suffix), {})
                .get(field, "")
                for suffix, _name in cls.other_languages()
                for field in ("prompt", "help")
            },
        }

    def clean(self):
        data = super().clean()
        own = self.fields_by_kind().get(self.kind, ())
        for name, empty in self.KIND_SPECIFIC.items():
            if name not in own:  # left over from another kind (hidden on the page)
                data[name] = empty
                self.errors.pop(name, None)
        return data

    def to_definition(self, *, key: str | None, previous: dict | None = None) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        q: dict = {"kind": kind, "prompt": data["prompt"], "help": data["help"]}
        previous = previous or {}
        texts = dict(previous.get("translations") or {})
        for suffix, _name in self.other_languages():
            language = self._language_key(suffix)
            entry = {
                field: data.get(f"{field}_{suffix}", "").strip()
                for field in ("prompt", "help")
                if data.get(f"{field}_{suffix}", "").strip()
            }
            if entry:
                texts[language] = entry
            else:
                texts.pop(language, None)
        if texts:
            q["translations"] = texts
        q["required"] = data["required"]
        if key:
            q["key"] = key

        def choices(text: str, existing: list) -> list:
            by_label = {o["label"]: o for o in existing}
            return [
                by_label.get(line.strip(), line.strip())
                for line in text.splitlines()
                if line.strip()
            ]

        if data["options"].strip():
            q["options"] = choices(data["options"], previous.get("options", []))
        if data["rows"].strip():
            q["rows"] = choices(data["rows"], previous.get("rows", []))
        c = kinds.of(kind).constraints_from_form(data)
        if c:
            q["constraints"] = c
        if data["condition_question"] and data["condition_op"]:
            raw = data["condition_value"].strip()
            try:
                value = json.loads(raw)
                if not isinstance(value, int | float) or isinstance(value, bool):
                    value = raw
            except ValueError:
                value = raw
            q["show_if"] = {
                "question": data["condition_question"],
                "op": data["condition_op"],
                "value": value,
            }
        return q


class SectionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    definition = forms.CharField(
        label=gettext_lazy("Definition"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        help_text=gettext_lazy("A survey definition (omi-survey/1) as JSON; see docs/surveys.md."),
    )

    def clean_definition(self):
        try:
            value = jsonsafe.loads(self.cleaned_data["definition"], allow_non_finite=True)
        except jsonsafe.JSONProblem as exc:
            # The platform's loader: bad JSON, nesting too deep and unstorable text, by pointer.
            raise forms.ValidationError(str(exc)) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The definition is a JSON object."))
        return value


class RescheduleForm(forms.Form):
    closes_at = forms.DateTimeField(
        required=False,
        widget=DateTimeInput(),
        label=gettext_lazy("Closes at"),
        help_text=gettext_lazy("UTC. Empty: no scheduled close."),
    )
