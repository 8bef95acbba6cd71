from django.contrib import admin, messages

from config.errors import DomainError

from . import selectors, services
from .models import (
    Comment,
    CommentRevision,
    Decision,
    GroupSettings,
    LedgerEntry,
    Membership,
    Proposal,
    ProposalRevision,
    Vote,
    VoterRollEntry,
    WorkingGroup,
)


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "join_policy", "status", "created_at")
    list_filter = ("status", "join_policy")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Creation goes through the service so the ledger records it.
        try:
            created = services.group_create(
                slug=obj.slug,
                name=obj.name,
                charter=obj.charter,
                parent=obj.parent,
                join_policy=obj.join_policy,
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            raise
        obj.pk = created.pk
        obj.created_at = created.created_at


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "group", "role", "status", "since")
    list_filter = ("group", "role", "status")
    list_select_related = ("user", "group")
    search_fields = ("user__username", "group__name")
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        # An administrator's correction is still a membership change: the service publishes it,
        # and the ledger records it.
        services.membership_correct(membership=obj, actor=request.user)


@admin.register(GroupSettings)
class GroupSettingsAdmin(admin.ModelAdmin):
    list_display = ("group", "general_rule", "quorum", "show_live_tally", "early_close")


class RevisionInline(admin.TabularInline):
    model = ProposalRevision
    extra = 0
    can_delete = False
    readonly_fields = ("number", "title", "author", "created_at")
    fields = readonly_fields


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the website or the API, which record the ledger."""

    list_display = ("__str__", "kind", "status", "voting_closes_at", "updated_at")
    list_filter = ("status", "kind", "group")
    list_select_related = ("group",)
    search_fields = ("title", "summary")
    readonly_fields = (
        "group",
        "number",
        "kind",
        "status",
        "revision",
        "rule",
        "quorum",
        "voted_revision",
        "voting_opened_at",
        "voting_closes_at",
        "closed_at",
    )
    inlines = [RevisionInline]
    actions = ["close_now_if_due"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Close the selected votes if their time is up")
    def close_now_if_due(self, request, queryset):
        closed = 0
        for p in queryset.filter(status=Proposal.Status.VOTING):
            try:
                services.proposal_close(proposal=p)
                closed += 1
            except DomainError as exc:
                self.message_user(request, f"{p}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{closed} vote(s) closed.")


class CommentRevisionInline(admin.TabularInline):
    """A comment's earlier texts: history, so read-only."""

    model = CommentRevision
    extra = 0
    can_delete = False
    readonly_fields = ("number", "body", "stance", "written_at", "replaced_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("proposal", "author", "stance", "created_at", "edited_at", "hidden_at")
    list_select_related = ("proposal__group", "author")
    readonly_fields = ("parent", "edited_at", "hidden_at", "hidden_by", "hidden_reason")
    raw_id_fields = ("parent",)
    inlines = [CommentRevisionInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """While a group hides the count of an open vote, the admin hides each ballot too."""

    list_display = ("proposal", "voter", "ballot", "updated_at")
    list_select_related = ("proposal__group__settings", "voter")

    @admin.display(description="choice")
    def ballot(self, obj):
        return "hidden until the close" if selectors.ballots_hidden(obj.proposal) else obj.choice

    def get_exclude(self, request, obj=None):
        if obj is not None and selectors.ballots_hidden(obj.proposal):
            return ("choice", "reason")
        return super().get_exclude(request, obj)


@admin.register(VoterRollEntry)
class VoterRollEntryAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "user", "role")
    list_select_related = ("proposal__group", "user")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "outcome", "rule", "roll_size", "decided_at")
    list_select_related = ("proposal__group",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "kind", "group", "created_at", "hash")
    list_filter = ("kind",)
