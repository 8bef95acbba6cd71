from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Question, Survey


class ChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    label = serializers.CharField()
    translations = serializers.DictField(
        child=serializers.CharField(),
        help_text=_('The label in other languages, by language: {"it": "...", "pt-BR": "..."}.'),
    )


class QuestionOutput(serializers.ModelSerializer):
    options = ChoiceOutput(many=True, read_only=True)
    rows = ChoiceOutput(many=True, read_only=True)
    translations = serializers.SerializerMethodField()
    constraints = serializers.SerializerMethodField()
    show_if = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "key",
            "kind",
            "prompt",
            "help",
            "translations",
            "required",
            "options",
            "rows",
            "constraints",
            "show_if",
        ]

    def get_translations(self, q: Question) -> dict:
        """The prompt and help in other languages: {"it": {"prompt", "help"}}; ``prompt`` and
        ``help`` stay the source texts."""
        return q.translations or {}

    def get_constraints(self, q: Question) -> dict:
        c = q.constraints or {}
        return {
            "min": c.get("min"),
            "max": c.get("max"),
            "min_selections": c.get("min_selections"),
            "max_selections": c.get("max_selections"),
            **{k: v for k, v in c.items() if k not in ("min", "max")},
        }

    def get_show_if(self, q: Question) -> dict | None:
        return q.show_if


class SurveyListOutput(serializers.ModelSerializer):
    group = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()
    accepting = serializers.BooleanField(source="is_accepting", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "slug",
            "title",
            "status",
            "anonymity",
            "audience",
            "results_visibility",
            "min_cell_size",
            "allow_edit",
            "show_free_text",
            "opens_at",
            "closes_at",
            "accepting",
            "group",
            "version",
            "url",
        ]

    def get_url(self, survey: Survey) -> str:
        request = self.context.get("request")
        path = survey.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class SectionOutput(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    translations = serializers.DictField(
        help_text=_(
            'The title and description in other languages: {"it": {"title", "description"}}.'
        )
    )
    questions = serializers.SerializerMethodField()

    def get_questions(self, section) -> list[dict]:
        return QuestionOutput(section.questions.all(), many=True).data


class SurveyDetailOutput(SurveyListOutput):
    sections = SectionOutput(many=True, read_only=True)
    previous_version = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(SurveyListOutput.Meta):
        fields = [*SurveyListOutput.Meta.fields, "introduction", "previous_version", "sections"]


@extend_schema_field(OpenApiTypes.ANY)
class AnswerValue(serializers.Field):
    """Any JSON value, passed on as it is: the question's kind checks it, so that every problem
    (a number too large to be finite included) comes back keyed by its question id."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class ResponseInput(serializers.Serializer):
    answers = serializers.DictField(
        child=AnswerValue(),
        help_text=_(
            '{"<question id>": value}: an option id; a list of option ids; a string; a '
            "number; option ids in rank order; {row id: option id} for a matrix."
        ),
    )


class ResponseCreatedOutput(serializers.Serializer):
    survey = serializers.CharField()
    submitted_on = serializers.DateField()


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=["open", "closed"])


class ResultsOutput(serializers.Serializer):
    """``{"responses", "questions": [{"id", "kind", "options": [{"id", "label", "count",
    "suppressed"}]}], "snapshot_sha256"?}``, extended with percentages, medians, matrix rows and
    the cross-tab filter (docs/surveys.md, "Results")."""

    responses = serializers.IntegerField()
    questions = serializers.ListField(child=serializers.DictField())
    snapshot_sha256 = serializers.CharField(required=False)
