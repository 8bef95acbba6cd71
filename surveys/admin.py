from django.contrib import admin, messages

from config.errors import DomainError

from . import services
from .models import MatrixRow, Option, Question, ResultSnapshot, Section, Survey


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "version", "group", "anonymity", "closes_at"]
    list_filter = ["status", "anonymity", "audience", "results_visibility"]
    search_fields = ["title", "slug"]
    readonly_fields = ["created_at", "updated_at", "closed_at", "previous_version", "version"]
    inlines = [SectionInline]
    actions = ["close_now"]

    @admin.action(description="Close the selected open surveys and freeze their results")
    def close_now(self, request, queryset):
        for survey in queryset:
            try:
                services.survey_close(survey=survey, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{survey}: {exc.message}", messages.WARNING)


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


class MatrixRowInline(admin.TabularInline):
    model = MatrixRow
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "survey", "kind", "position", "required"]
    list_filter = ["kind"]
    search_fields = ["prompt", "key", "survey__title"]
    raw_id_fields = ["survey", "section", "condition_question"]
    inlines = [OptionInline, MatrixRowInline]


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(admin.ModelAdmin):
    list_display = ["survey", "sha256", "created_at"]
    readonly_fields = ["survey", "data", "canonical", "sha256", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The roll, the ballot box and the drafts are deliberately not in the admin: browsing them side by
# side is exactly what the separation of the roll from the ballot box is meant to prevent.
