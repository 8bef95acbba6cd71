from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class WorkingGroup(models.Model):
    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone may join as an observer"
        APPROVAL = "approval", "Approval: a chair approves requests"
        INVITATION = "invitation", "Invitation only"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    charter = models.TextField(blank=True, help_text="Markdown.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    join_policy = models.CharField(
        max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:group_detail", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def voting(self):
        return self.active().filter(role__in=Membership.VOTING_ROLES)


class Membership(models.Model):
    class Role(models.TextChoices):
        OBSERVER = "observer", "Observer"
        CONTRIBUTOR = "contributor", "Contributor"
        COMMITTER = "committer", "Committer"
        CHAIR = "chair", "Chair"
        SECRETARY = "secretary", "Secretary"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"

    # The charter makes committers the voting members; a chair is a committer who also chairs.
    VOTING_ROLES = (Role.COMMITTER, Role.CHAIR)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OBSERVER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    since = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="one_membership_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role}, {self.status})"

    @property
    def is_voting(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role in self.VOTING_ROLES
