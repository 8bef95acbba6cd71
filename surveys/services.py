"""Survey writes: create definitions, open and close, submit answers, snapshots. Editing a draft's
questions and sections is ``editing.py``.

Every entry point (website, API, tasks, admin, demo) calls these; each checks permission and state,
raises a domain error from ``config.errors`` with a message a person can act on, and ends by
publishing its event (``surveys/events.py``) inside its transaction.
"""

import copy
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config import ratelimit
from config.canonical import canonical_json
from config.errors import Conflict, Invalid, NotAllowed, NotFound, RateLimited
from governance.models import WorkingGroup

from . import definition as definition_format
from . import events as survey_events
from . import results
from .answers import specs_for, validate
from .models import Answer, Draft, LiveResults, Participation, Response, ResultSnapshot, Survey
from .selectors import can_create, in_audience, is_owner

# Submissions from people who are not signed in (audience "anyone") per client and survey.
ANONYMOUS_RATE_LIMIT = (10, 3600)  # (submissions, seconds)


# --- Permissions (the rules are read in ``selectors``) ------------------------------------------


def _require_owner(survey: Survey, actor) -> None:
    if not is_owner(actor, survey):
        raise NotAllowed(_("Only staff and the chairs of the owning group may manage this survey."))


# --- Creating and editing ---------------------------------------------------------------------


def _unique_slug(base: str) -> str:
    base = (slugify(base) or "survey")[:90]
    slug, n = base, 2
    while Survey.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _resolve_group(slug: str | None):
    if not slug:
        return None
    group = WorkingGroup.objects.filter(slug=slug).first()
    if group is None:
        raise Invalid(
            _("No such working group."),
            errors={"/group": [_("No group %(slug)s.") % {"slug": repr(slug)}]},
        )
    return group


def _settings_from(d: dict) -> dict[str, Any]:
    return {
        "title": d["title"],
        "introduction": d.get("introduction", ""),
        "opens_at": parse_datetime(d["opens_at"]) if d.get("opens_at") else None,
        "closes_at": parse_datetime(d["closes_at"]) if d.get("closes_at") else None,
        **{field: d[field] for field in definition_format.SETTINGS},
    }


def survey_create(*, definition: dict, actor) -> Survey:
    """Create a draft survey from a definition (``omi-survey/1``). Staff or a chair of the group.
    Publishes ``survey.created``."""
    with transaction.atomic():
        survey = _create(definition=definition, actor=actor)
        _created(survey, actor=actor)
    return survey


def _created(survey: Survey, *, actor) -> None:
    previous = survey.previous_version.slug if survey.previous_version_id else None
    survey_events.publish("survey.created", survey, actor=actor, previous_version=previous)


def _create(*, definition: dict, actor) -> Survey:
    d = definition_format.check(definition)
    group = _resolve_group(d.get("group"))
    if not can_create(actor, group):
        raise NotAllowed(
            _("Only staff and the chairs of the owning group may create surveys.")
            if group
            else _("Only staff may create a survey without an owning group.")
        )
    with transaction.atomic():
        if d.get("slug"):
            if Survey.objects.filter(slug=d["slug"]).exists():
                raise Conflict(
                    _("A survey with this slug exists."),
                    errors={"/slug": [_("Choose another slug.")]},
                )
            slug = d["slug"]
        else:
            slug = _unique_slug(d["title"])
        survey = Survey.objects.create(
            slug=slug, group=group, created_by=actor, **_settings_from(d)
        )
        definition_format.build(definition=d, survey=survey)
    return survey


def _ensure_editable(survey: Survey) -> None:
    if survey.status == Survey.Status.CLOSED:
        raise Conflict(_("This survey is closed; make a new version to change it."))
    if survey.responses.exists():
        raise Conflict(
            _("This survey has responses, so its questions are locked; make a new version instead.")
        )


def survey_replace_definition(
    *, survey: Survey, actor, definition: dict, changed: str = "settings"
) -> Survey:
    """Replace the questions and settings of a survey that has no response yet.

    Questions are rebuilt (their ids change); drafts saved against the old ids are discarded.
    Publishes ``survey.updated`` with ``changed`` (what the editor changed: settings, questions,
    sections).
    """
    _require_owner(survey, actor)
    d = definition_format.check(definition)
    group = _resolve_group(d.get("group"))
    if group != survey.group and not can_create(actor, group):
        raise NotAllowed(_("You may not move this survey to that group."))
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        _ensure_editable(survey)
        for field, value in _settings_from(d).items():
            setattr(survey, field, value)
        survey.group = group
        survey.save()
        survey.drafts.all().delete()
        survey.sections.all().delete()
        definition_format.build(definition=d, survey=survey)
        survey_events.publish(
            "survey.updated",
            survey,
            actor=actor,
            public=survey.status != Survey.Status.DRAFT,
            changed=changed,
        )
    return survey


def survey_edit(
    *, survey: Survey, actor, change: Callable[[dict], None], changed: str = "settings"
) -> Survey:
    """Apply ``change`` to the exported definition and save it (the editor's single write path;
    ``editing.py`` holds the changes the editor makes)."""
    d = copy.deepcopy(definition_format.export(survey))
    change(d)
    return survey_replace_definition(survey=survey, actor=actor, definition=d, changed=changed)


def survey_reschedule(*, survey: Survey, actor, closes_at: datetime | None) -> Survey:
    """Move (or remove) the close of a survey that is not closed yet, even once it has
    responses: unlike its questions, its schedule is not part of what respondents answered."""
    _require_owner(survey, actor)
    if closes_at is not None and closes_at <= timezone.now():
        raise Invalid(
            _("The close must be in the future; close the survey now instead."),
            errors={"closes_at": [_("Set a time in the future.")]},
        )
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status == Survey.Status.CLOSED:
            raise Conflict(_("This survey is closed."))
        if closes_at and survey.opens_at and closes_at <= survey.opens_at:
            raise Invalid(
                _("The close must come after the opening."),
                errors={"closes_at": [_("Set a time after the opening.")]},
            )
        survey.closes_at = closes_at
        survey.save(update_fields=["closes_at", "updated_at"])
        survey_events.publish(
            "survey.updated",
            survey,
            actor=actor,
            public=survey.status != Survey.Status.DRAFT,
            changed="schedule",
        )
    return survey


def survey_new_version(*, survey: Survey, actor) -> Survey:
    """Copy a survey into a new draft version; the results of each version stay separate."""
    _require_owner(survey, actor)
    if Survey.objects.filter(previous_version=survey).exists():
        raise Conflict(_("This survey already has a newer version."))
    d = definition_format.export(survey)
    root = survey.slug.rsplit("-v", 1)[0] if survey.version > 1 else survey.slug
    d["slug"] = _unique_slug(f"{root}-v{survey.version + 1}")
    d["opens_at"] = d["closes_at"] = None
    with transaction.atomic():
        new = _create(definition=d, actor=actor)
        new.previous_version = survey
        new.version = survey.version + 1
        new.save(update_fields=["previous_version", "version"])
        _created(new, actor=actor)
    return new


# --- Opening and closing ----------------------------------------------------------------------


def survey_open(*, survey: Survey, actor) -> Survey:
    """Draft → open. With ``opens_at`` in the future it accepts answers only from then.
    Publishes ``survey.opened``."""
    _require_owner(survey, actor)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != Survey.Status.DRAFT:
            raise Conflict(
                _("Only a draft can be opened; this survey is %(status)s.")
                % {"status": str(survey.get_status_display()).lower()}
            )
        if not survey.questions.exists():
            raise Invalid(_("Add a question before opening the survey."))
        if survey.closes_at and survey.closes_at <= timezone.now():
            raise Invalid(
                _("The close time has passed; set a later one."),
                errors={"closes_at": [_("Set a time in the future.")]},
            )
        survey.status = Survey.Status.OPEN
        survey.save(update_fields=["status", "updated_at"])
        # The row of its live results, refreshed in batches as responses arrive (results.py).
        LiveResults.objects.get_or_create(survey=survey)
        survey_events.publish(
            "survey.opened",
            survey,
            actor=actor,
            opens_at=survey.opens_at.isoformat() if survey.opens_at else None,
            closes_at=survey.closes_at.isoformat() if survey.closes_at else None,
        )
    return survey


def survey_close(*, survey: Survey, actor=None, at: datetime | None = None) -> Survey:
    """Open → closed, then freeze the results in a snapshot. ``actor`` None: the scheduler.
    Publishes ``survey.closed`` and ``survey.results_frozen``; idempotent for the scheduler."""
    if actor is not None:
        _require_owner(survey, actor)
    now = at or timezone.now()
    with transaction.atomic():
        # The conditional update claims the transition: of two closers only one changes the row.
        changed = Survey.objects.filter(pk=survey.pk, status=Survey.Status.OPEN).update(
            status=Survey.Status.CLOSED, closed_at=now, updated_at=now
        )
        if not changed:
            if actor is not None:
                raise Conflict(_("Only an open survey can be closed."))
            return Survey.objects.get(pk=survey.pk)
        survey = Survey.objects.get(pk=survey.pk)
        snapshot = snapshot_create(survey=survey)
        # The snapshot takes over from the live batches; their list of responses goes.
        LiveResults.objects.filter(survey=survey).delete()
        survey_events.publish(
            "survey.closed", survey, actor=actor, by="schedule" if actor is None else "owner"
        )
        survey_events.publish(
            "survey.results_frozen",
            survey,
            actor=actor,
            public=survey.results_visibility != Survey.ResultsVisibility.OWNERS,
            url=reverse("surveys:results", kwargs={"slug": survey.slug}),
            sha256=snapshot.sha256,
            responses=snapshot.data["responses"],
        )
    return survey


def close_due_surveys(*, now: datetime | None = None) -> list[int]:
    """Close every open survey whose ``closes_at`` has passed; idempotent. A survey whose close
    fails is logged and left open (its close rolled back whole), to be retried on the next run;
    the others are still closed."""
    now = now or timezone.now()
    due = list(
        Survey.objects.filter(status=Survey.Status.OPEN, closes_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    closed = []
    for pk in due:
        try:
            survey = survey_close(survey=Survey(pk=pk), actor=None, at=now)
        except Exception:
            logging.getLogger(__name__).exception(
                "Closing survey %s failed; it stays open until the next run", pk
            )
            continue
        if survey.status == Survey.Status.CLOSED:
            closed.append(pk)
    return closed


def snapshot_create(*, survey: Survey) -> ResultSnapshot:
    """Freeze the public results (suppression applied) with the sha256 of their canonical JSON.
    Idempotent: a survey has at most one snapshot."""
    existing = ResultSnapshot.objects.filter(survey=survey).first()
    if existing:
        return existing
    # Every response, not the last live batch: the snapshot is the final count.
    data = results.compute(survey, owner=False)
    text = canonical_json(data).decode("utf-8")
    snapshot, _created = ResultSnapshot.objects.get_or_create(
        survey=survey,
        defaults={
            "data": data,
            "canonical": text,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
    )
    return snapshot


# --- Answering --------------------------------------------------------------------------------


def ensure_can_answer(survey: Survey, user) -> None:
    if not survey.is_accepting:
        raise NotAllowed(_("This survey is not open for answers."))
    if not in_audience(user, survey):
        if user is None or not user.is_authenticated:
            raise NotAllowed(_("Sign in to answer this survey."))
        raise NotAllowed(_("This survey is for members of its working group."))


def _recheck_open_locked(survey: Survey) -> None:
    """Inside the writing transaction: the survey is still open. On PostgreSQL a shared row lock
    makes a concurrent close wait for this submission, so the snapshot sees it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM surveys_survey WHERE id = %s FOR SHARE", [survey.pk])
            row = cursor.fetchone()
        status = row[0] if row else None
    else:
        status = Survey.objects.filter(pk=survey.pk).values_list("status", flat=True).first()
    if status != Survey.Status.OPEN:
        raise NotAllowed(_("This survey is not open for answers."))


def _rate_limit(survey: Survey, client_key: str | None) -> None:
    # The platform's atomic limiter (config.ratelimit): exact under concurrency on every cache.
    limit, window = ANONYMOUS_RATE_LIMIT
    key = f"surveys:rate:{survey.pk}:{hashlib.sha256((client_key or '?').encode()).hexdigest()}"
    outcome = ratelimit.hit(key, ratelimit.Rate(limit=limit, window=window))
    if not outcome.allowed:
        raise RateLimited(
            _("Too many answers from this network; try again later."),
            retry_after=outcome.retry_after,
        )


def response_submit(
    *,
    survey: Survey,
    user,
    answers: dict,
    strict: bool = True,
    client_key: str | None = None,
) -> Response:
    """Record one response: the person on the roll, the answers in the ballot box.

    403 not open or not in the audience; 409 already answered (the roll's unique constraint
    decides, so two concurrent submissions cannot both pass); 400 with an error per question.
    For anonymous surveys the response holds no person and only the day.
    """
    ensure_can_answer(survey, user)
    signed_in = user is not None and user.is_authenticated
    if signed_in and Participation.objects.filter(survey=survey, user=user).exists():
        raise Conflict(_("You have already answered this survey."))
    specs = specs_for(survey)
    clean, errors = validate(specs, answers, strict=strict)
    if errors:
        count = sum(len(v) for v in errors.values())
        raise Invalid(
            ngettext(
                "%(count)s answer needs attention.", "%(count)s answers need attention.", count
            )
            % {"count": count},
            errors=errors,
        )
    if not signed_in:
        _rate_limit(survey, client_key)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            _recheck_open_locked(survey)
            if signed_in:
                Participation.objects.create(survey=survey, user=user)
            response = Response.objects.create(
                survey=survey,
                respondent=user if signed_in and not survey.is_anonymous else None,
                submitted_on=today,
            )
            Answer.objects.bulk_create(
                Answer(response=response, question_id=qid, value=value)
                for qid, value in clean.items()
            )
            if signed_in:
                Draft.objects.filter(survey=survey, user=user).delete()
            survey_events.publish_response(
                "response.submitted",
                survey,
                user=user,
                responses=Response.objects.filter(survey=survey).count(),
            )
    except IntegrityError:
        raise Conflict(_("You have already answered this survey.")) from None
    return response


def response_update(*, survey: Survey, user, answers: dict, strict: bool = True) -> Response:
    """Replace my answers, until the close, where the survey allows it (never anonymous ones)."""
    ensure_can_answer(survey, user)
    if survey.is_anonymous or not survey.allow_edit:
        raise NotAllowed(_("Answers to this survey cannot be changed once submitted."))
    response = Response.objects.filter(survey=survey, respondent=user).first()
    if response is None:
        raise NotFound(_("You have not answered this survey yet."))
    clean, errors = validate(specs_for(survey), answers, strict=strict)
    if errors:
        raise Invalid(_("Some answers need attention."), errors=errors)
    with transaction.atomic():
        _recheck_open_locked(survey)
        response.answers.all().delete()
        Answer.objects.bulk_create(
            Answer(response=response, question_id=qid, value=value) for qid, value in clean.items()
        )
        Draft.objects.filter(survey=survey, user=user).delete()
        survey_events.publish_response("response.updated", survey, user=user)
    return response


def draft_save(*, survey: Survey, user, answers: dict, section_index: int) -> Draft:
    """Keep answers between pages (raw, checked again at submission) so a person can resume.
    Publishes nothing: a draft is one person's unfinished work (see ``surveys/events.py``)."""
    ensure_can_answer(survey, user)
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in to save a draft."))
    draft, _created = Draft.objects.get_or_create(survey=survey, user=user)
    draft.answers = {str(k): v for k, v in answers.items()}
    draft.section_index = max(0, section_index)
    draft.save()
    return draft
