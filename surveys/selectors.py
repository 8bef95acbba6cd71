"""Survey reads: who may do what, what a person may see, the results, the home panel."""

from typing import Any

from django.utils.translation import gettext as _

from config.errors import Invalid, NotAllowed
from governance import roles
from governance.models import WorkingGroup

from . import results as results_mod
from .models import Draft, Participation, Response, Survey

# --- Who may do what ------------------------------------------------------------------------------


def can_create(user, group) -> bool:
    """Staff, or an active chair of the owning group."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return group is not None and roles.is_chair(user, group)


def is_owner(user, survey: Survey) -> bool:
    """Owners edit, open, close, export and always see results: staff and the group's chairs."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return survey.group_id is not None and roles.is_chair(user, survey.group_id)


def in_audience(user, survey: Survey) -> bool:
    if survey.audience == Survey.Audience.ANYONE:
        return True
    if user is None or not user.is_authenticated:
        return False
    if survey.audience == Survey.Audience.SIGNED_IN:
        return True
    if survey.group_id is None:
        return bool(user.is_staff)
    return roles.is_member(user, survey.group_id)


def groups_user_may_create_for(user):
    """The working groups whose surveys ``user`` may create: all for staff, else those they chair
    (the same rule as ``can_create``)."""
    if user.is_staff:
        return WorkingGroup.objects.all()
    return roles.chaired_groups(user)


def may_create_any(user) -> bool:
    return user.is_authenticated and (user.is_staff or groups_user_may_create_for(user).exists())


def questions_locked(survey: Survey) -> bool:
    """A survey's questions are locked once it has a response (or is closed): what people
    answered must not change under their answers. A new version is the way to change them."""
    return survey.status == Survey.Status.CLOSED or survey.responses.exists()


# --- What a person sees ---------------------------------------------------------------------------


def has_answered(user, survey: Survey) -> bool:
    """Whether ``user`` is on the roll of ``survey`` (signed-in people only)."""
    return Participation.objects.filter(survey=survey, user=user).exists()


def may_change_answers(survey: Survey) -> bool:
    """Respondents may change their answers until the close (never for anonymous surveys)."""
    return survey.allow_edit and not survey.is_anonymous


def saved_answers(user, survey: Survey) -> tuple[dict[int, Any], int]:
    """What a signed-in person has saved so far, and the page they were on: their draft, else
    (where answers may be changed) the answers they submitted, else nothing."""
    draft = Draft.objects.filter(survey=survey, user=user).first()
    if draft:
        return {int(k): v for k, v in draft.answers.items()}, draft.section_index
    if may_change_answers(survey):
        response = Response.objects.filter(survey=survey, respondent=user).first()
        if response:
            return {a.question_id: a.value for a in response.answers.all()}, 0
    return {}, 0


def home_panel(*, user) -> dict:
    """Open surveys ``user`` may see (at most 5), soonest close first."""
    surveys = (
        Survey.objects.open_now()
        .visible_to(user)
        .order_by("closes_at", "-created_at")
        .only("slug", "title", "closes_at")[:5]
    )
    return {"open_surveys": list(surveys)}


# --- Results --------------------------------------------------------------------------------------


def parse_filter(params) -> tuple[int | None, int | None]:
    raw_q, raw_o = params.get("filter_question"), params.get("filter_option")
    if not raw_q:
        return None, None
    try:
        return int(raw_q), int(raw_o) if raw_o not in (None, "") else None
    except (TypeError, ValueError):
        raise Invalid(
            _("The filter is not valid."),
            errors={"filter_question": [_("Use a question id and an option id.")]},
        ) from None


def results_for(
    *,
    survey: Survey,
    user,
    filter_question: int | None = None,
    filter_option: Any = None,
) -> dict:
    """The results this person may see, or ``NotAllowed`` explaining why not. Load ``survey``
    with ``select_related("snapshot", "live_results")`` to spare their queries."""
    owner = is_owner(user, survey)
    if not results_mod.results_visible(survey, owner=owner):
        if survey.results_visibility == Survey.ResultsVisibility.OWNERS:
            raise NotAllowed(_("The results of this survey are shown to its owners only."))
        if survey.status == Survey.Status.DRAFT:
            raise NotAllowed(_("This survey is a draft."))
        raise NotAllowed(_("The results are published when the survey closes."))
    doc = results_mod.public_results(
        survey, owner=owner, filter_question=filter_question, filter_option=filter_option
    )
    if owner and survey.status == Survey.Status.CLOSED and "snapshot_sha256" not in doc:
        snapshot = results_mod.snapshot_of(survey)
        if snapshot is not None:
            doc["snapshot_sha256"] = snapshot.sha256
    doc["owner_view"] = owner
    return doc
