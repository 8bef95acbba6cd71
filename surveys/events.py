"""The events the surveys app publishes (``config.events``); imported by ``SurveysConfig.ready``.

Every survey event names its survey by slug (``subject={"type": "survey", "ref": slug}``) and
links to its page. A draft is seen only by its owners, so its events are not public.

Privacy: ``response.submitted`` carries the survey and its response count, never who answered:
for anonymous and confidential surveys its actor is None, and no payload holds a time more precise
than the event's own. A draft's saved answers are not announced at all: that would tell every
listener who is answering an anonymous survey, and when.
"""

from config import events

SURVEY = ("survey", "title", "version")

events.declare(
    "survey.created",
    "A draft survey was created (from a definition, the website, or as a new version).",
    fields=(*SURVEY, "previous_version"),
    public=False,
)
events.declare(
    "survey.updated",
    "A survey's definition or settings changed: `changed` is `settings`, `questions`, "
    "`sections` or `schedule`.",
    fields=(*SURVEY, "changed"),
)
events.declare(
    "survey.opened",
    "A survey was opened for answers (from `opens_at` when that is later).",
    fields=(*SURVEY, "opens_at", "closes_at"),
)
events.declare(
    "survey.closed",
    "A survey was closed, by an owner or at its `closes_at` (`by`: `owner` or `schedule`).",
    fields=(*SURVEY, "by"),
)
events.declare(
    "survey.results_frozen",
    "A closed survey's public results were frozen in a snapshot with this sha256.",
    fields=(*SURVEY, "sha256", "responses"),
)
events.declare(
    "response.submitted",
    "A survey received a response (never who answered an anonymous or confidential survey).",
    fields=("survey", "responses"),
    public=False,
)
events.declare(
    "response.updated",
    "A respondent replaced their answers (confidential and named surveys that allow it).",
    fields=("survey",),
    public=False,
)


def publish(
    name: str, survey, *, actor=None, public: bool | None = None, url: str = "", **fields
) -> events.Event:
    """Publish a survey event: the survey's slug, title and version, plus ``fields``. Call it
    inside the writing transaction."""
    payload = {"survey": survey.slug, "title": survey.title, "version": survey.version, **fields}
    return events.publish(
        name,
        payload,
        actor=actor,
        group=survey.group_id,
        public=public,
        url=url or survey.get_absolute_url(),
        subject={"type": "survey", "ref": survey.slug},
    )


def publish_response(name: str, survey, *, user, **fields) -> events.Event:
    """Publish a response event: the survey's slug and ``fields``, and who answered only for a
    named survey (the survey's owners see that in its exports anyway)."""
    named = survey.anonymity == survey.Anonymity.NAMED
    return events.publish(
        name,
        {"survey": survey.slug, **fields},
        actor=user if named else None,
        group=survey.group_id,
        url=survey.get_absolute_url(),
        subject={"type": "survey", "ref": survey.slug},
    )
