"""Surveys: definitions (survey, sections, questions, options, matrix rows), the participation roll,
the ballot box (responses and answers), drafts and frozen result snapshots.

Privacy design: ``Participation`` (the roll) says *who* answered; ``Response`` (the ballot box) says
*what* was answered. For an anonymous survey no column links the two: the response has a random UUID
key (so row order cannot be matched with the roll's), no respondent, and only the day of
submission. One response per person is enforced by the roll's unique constraint.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from governance import roles

from .translations import text as translated


class SurveyQuerySet(models.QuerySet):
    def open_now(self):
        now = timezone.now()
        return (
            self.filter(status=Survey.Status.OPEN)
            .filter(models.Q(opens_at__isnull=True) | models.Q(opens_at__lte=now))
            .filter(models.Q(closes_at__isnull=True) | models.Q(closes_at__gt=now))
        )

    def visible_to(self, user):
        """Surveys a person may see listed: open and closed ones, plus drafts they own."""
        published = models.Q(status__in=[Survey.Status.OPEN, Survey.Status.CLOSED])
        if user is None or not user.is_authenticated:
            return self.filter(published)
        if user.is_staff:
            return self.all()
        chaired = roles.chaired_groups(user).values("pk")
        return self.filter(published | models.Q(created_by=user) | models.Q(group__in=chaired))


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey status", "Draft")
        OPEN = "open", pgettext_lazy("survey status", "Open")
        CLOSED = "closed", pgettext_lazy("survey status", "Closed")

    class Audience(models.TextChoices):
        SIGNED_IN = "signed_in", _("Anyone signed in")
        MEMBERS = "members", _("Members of the group")
        ANYONE = "anyone", _("Anyone (rate limited)")

    class Anonymity(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous: answers never linked to a person")
        CONFIDENTIAL = "confidential", _("Confidential: linked, visible only to owners")
        NAMED = "named", _("Named")

    class ResultsVisibility(models.TextChoices):
        AFTER_CLOSE = "after_close", _("After the survey closes")
        LIVE = "live", _("Live, while it is open")
        OWNERS = "owners", _("Owners only")

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text=_("Markdown."))
    group = models.ForeignKey(
        "governance.WorkingGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.SIGNED_IN)
    anonymity = models.CharField(
        max_length=12, choices=Anonymity.choices, default=Anonymity.ANONYMOUS
    )
    results_visibility = models.CharField(
        max_length=12, choices=ResultsVisibility.choices, default=ResultsVisibility.AFTER_CLOSE
    )
    min_cell_size = models.PositiveSmallIntegerField(
        default=5, help_text=_("Counts below this are suppressed in public results (k).")
    )
    allow_edit = models.BooleanField(
        default=False,
        help_text=_("Respondents may edit until the close (not for anonymous surveys)."),
    )
    show_free_text = models.BooleanField(
        default=False, help_text=_("Publish free-text answers (only when at least k answered).")
    )
    # Versions: a new version copies the definition; each version keeps its own results.
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_version"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys_created",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", kwargs={"slug": self.slug})

    @property
    def anonymity_short(self) -> str:
        """The anonymity's name alone ("Anonymous"), for badges; the full label explains it."""
        return self.get_anonymity_display().split(":", 1)[0]

    @property
    def is_anonymous(self) -> bool:
        return self.anonymity == self.Anonymity.ANONYMOUS

    @property
    def is_accepting(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or self.closes_at > now)
        )


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    # The author's translations: {"it": {"title": ..., "description": ...}} (``translations.py``).
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.title or gettext("Section %(number)s") % {"number": self.position + 1}

    # What people read: the title and description in the request's language where the author
    # translated them (``translations.py``), the source texts otherwise.
    @property
    def shown_title(self) -> str:
        return translated(self.title, self.translations, "title")

    @property
    def shown_description(self) -> str:
        return translated(self.description, self.translations, "description")


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        SCALE = "scale", _("Scale")
        RANKING = "ranking", _("Ranking")
        MATRIX = "matrix", _("Matrix")

    class Op(models.TextChoices):
        EQUALS = "equals", _("equals")
        INCLUDES = "includes", _("includes")
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    # Position is global within the survey: display conditions may only look back.
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=60, help_text=_("Stable name in exports and definitions."))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.CharField(max_length=500)
    help = models.TextField(blank=True)
    # The author's translations: {"it": {"prompt": ..., "help": ...}} (``translations.py``).
    translations = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=False)
    # {"min", "max", "integer", "min_selections", "max_selections", "min_label", "max_label",
    #  "max_length"}: only the keys that apply to the kind.
    constraints = models.JSONField(default=dict, blank=True)
    condition_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependents"
    )
    condition_op = models.CharField(max_length=10, choices=Op.choices, blank=True)
    # An option id for choice questions, a number for numbers and scales.
    condition_value = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def show_if(self) -> dict | None:
        if not self.condition_question_id:
            return None
        return {
            "question": self.condition_question_id,
            "op": self.condition_op,
            "value": self.condition_value,
        }


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=300)
    # The author's translations of the label: {"it": ..., "pt-BR": ...}.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class MatrixRow(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=300)
    # The author's translations of the label: {"it": ..., "pt-BR": ...}.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """The roll: that a person answered, never what, nor when. A random key, so that the order of
    its rows cannot be matched with the order of the answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_participations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_participation_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} answered {self.survey}"


class Response(models.Model):
    """The ballot box. ``respondent`` is set only for confidential and named surveys."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        # Ordered by the random key: listing order says nothing about submission order.
        ordering = ["id"]
        indexes = [models.Index(fields=["survey", "respondent"])]

    def __str__(self) -> str:
        return f"Response to {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value!r}"


class Draft(models.Model):
    """Answers saved between pages so a signed-in person can leave and resume; deleted on submit."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_drafts"
    )
    answers = models.JSONField(default=dict)
    section_index = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_draft_per_person"),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.user} for {self.survey}"


class ResultSnapshot(models.Model):
    """Results frozen at the close: the canonical JSON and its sha256, so anyone can check a copy."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="snapshot")
    data = models.JSONField()
    canonical = models.TextField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Snapshot of {self.survey} ({self.sha256[:12]})"


class LiveResults(models.Model):
    """The public live results of an open survey, published in batches.

    Recomputed only when at least k (the survey's minimum cell size) responses arrived since the
    last refresh (``results.live_results``), so that no reader can learn one person's answers by
    comparing the results before and after their submission. ``response_ids`` are the answered
    responses of the batch (sorted, so in no order of submission), so that cross-tab filters are
    cut from the same batch. Created when the survey opens, deleted when it closes (the snapshot
    takes over).
    """

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="live_results")
    responses = models.PositiveIntegerField(default=0)
    response_ids = models.JSONField(default=list, blank=True)
    audience_size = models.PositiveIntegerField(null=True, blank=True)
    roll_size = models.PositiveIntegerField(null=True, blank=True)
    # The public document (canonical JSON), empty before the first batch.
    canonical = models.TextField(blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("live results")

    def __str__(self) -> str:
        return f"Live results of {self.survey} ({self.responses} responses)"
