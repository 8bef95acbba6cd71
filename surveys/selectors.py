"""Survey reads: what a person may see, results with visibility rules, the home panel."""

from typing import Any

from config.errors import Invalid, NotAllowed

from . import results as results_mod
from . import services
from .models import Survey


def groups_user_may_create_for(user):
    """The working groups whose surveys ``user`` may create: all for staff, else those they chair
    (the same rule as ``services.can_create``)."""
    from governance.models import Membership, WorkingGroup

    if user.is_staff:
        return WorkingGroup.objects.all()
    return WorkingGroup.objects.filter(
        memberships__user=user,
        memberships__role=Membership.Role.CHAIR,
        memberships__status=Membership.Status.ACTIVE,
    )


def may_create_any(user) -> bool:
    return user.is_authenticated and (user.is_staff or groups_user_may_create_for(user).exists())


def home_panel(*, user) -> dict:
    """Open surveys ``user`` may see (at most 5), soonest close first."""
    surveys = (
        Survey.objects.open_now()
        .visible_to(user)
        .order_by("closes_at", "-created_at")
        .only("slug", "title", "closes_at")[:5]
    )
    return {"open_surveys": list(surveys)}


def parse_filter(params) -> tuple[int | None, int | None]:
    raw_q, raw_o = params.get("filter_question"), params.get("filter_option")
    if not raw_q:
        return None, None
    try:
        return int(raw_q), int(raw_o) if raw_o not in (None, "") else None
    except (TypeError, ValueError):
        raise Invalid(
            "The filter is not valid.",
            errors={"filter_question": ["Use a question id and an option id."]},
        ) from None


def results_for(
    *,
    survey: Survey,
    user,
    filter_question: int | None = None,
    filter_option: Any = None,
) -> dict:
    """The results this person may see, or ``NotAllowed`` explaining why not."""
    owner = services.is_owner(user, survey)
    if not results_mod.results_visible(survey, owner=owner):
        if survey.results_visibility == Survey.ResultsVisibility.OWNERS:
            raise NotAllowed("The results of this survey are shown to its owners only.")
        if survey.status == Survey.Status.DRAFT:
            raise NotAllowed("This survey is a draft.")
        raise NotAllowed("The results are published when the survey closes.")
    doc = results_mod.public_results(
        survey, owner=owner, filter_question=filter_question, filter_option=filter_option
    )
    if owner and survey.status == Survey.Status.CLOSED and "snapshot_sha256" not in doc:
        from .models import ResultSnapshot

        sha = ResultSnapshot.objects.filter(survey=survey).values_list("sha256", flat=True).first()
        if sha:
            doc["snapshot_sha256"] = sha
    doc["owner_view"] = owner
    return doc
