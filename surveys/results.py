"""Survey results: loading what is counted, who may see them, and what is published.

The counting itself is pure and lives in ``counting.py``; this module holds the queries (the
answer sets, the audience, the roll) and the rules of publication:

- a closed survey publishes its frozen snapshot (``ResultSnapshot``, hashed at the close);
- an open survey with ``live`` results publishes them **in batches** (``LiveResults``): the public
  document is recomputed only once at least k new responses (the survey's minimum cell size) have
  arrived since the last refresh, so that comparing the results before and after one person's
  submission never shows that person's answers. While fewer than k people have responded it
  follows every response: then every count is below k and suppressed, and no statistic is shown,
  so such a document says nothing but the number of responses. Cross-tab filters of live results
  are computed from the same batch of responses;
- owners always see exact results computed now.
"""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from config.canonical import canonical_json
from governance import roles

from . import counting
from .answers import QuestionSpec, specs_for
from .models import Answer, LiveResults, ResultSnapshot, Survey

# --- Loading (every query of the results is here) ---------------------------------------------


def answers_by_response(survey: Survey) -> dict[str, dict[int, Any]]:
    """Every response that has answers, as ``{response id: {question id: value}}``; one query."""
    sets: dict[str, dict[int, Any]] = {}
    # The JSON as text, decoded here: Django's per-value JSONField conversion costs several times
    # more than json.loads, and a survey may have hundreds of thousands of answers.
    rows = (
        Answer.objects.filter(response__survey=survey)
        .annotate(text=Cast("value", TextField()), rid=Cast("response_id", TextField()))
        .values_list("rid", "question_id", "text")
    )
    loads = json.loads
    for response_id, question_id, text in rows.iterator(chunk_size=5000):
        sets.setdefault(response_id, {})[question_id] = loads(text)
    return sets


def _with_empty(sets: list[dict[int, Any]], responses: int) -> list[dict[int, Any]]:
    """Add the responses that skipped every question (they have no answer rows)."""
    return sets + [{} for _ in range(max(0, responses - len(sets)))]


def load_answer_sets(survey: Survey) -> list[dict[int, Any]]:
    """Every response as ``{question id: value}``; two queries."""
    sets = list(answers_by_response(survey).values())
    return _with_empty(sets, survey.responses.count())


def audience_size(survey: Survey) -> int | None:
    """How many people may answer, when that is known (not for "anyone")."""
    if survey.audience == Survey.Audience.SIGNED_IN:
        return get_user_model().objects.filter(is_active=True).count()
    if survey.audience == Survey.Audience.MEMBERS and survey.group_id:
        return roles.members_of(survey.group_id).count()
    return None


def frame_of(survey: Survey) -> counting.Frame:
    """What the document says about ``survey``: its settings, the audience and the roll."""
    size = audience_size(survey)
    # Among the audience: the people on the roll (every signed-in respondent is on it).
    roll = survey.participations.count() if size and survey.pk else None
    return _frame(survey, audience_size=size, roll_size=roll)


def _frame(survey: Survey, *, audience_size: int | None, roll_size: int | None):
    return counting.Frame(
        survey=survey.slug,
        version=survey.version,
        status=survey.status,
        min_cell_size=survey.min_cell_size,
        show_free_text=survey.show_free_text,
        audience_size=audience_size,
        roll_size=roll_size,
    )


def compute(
    survey: Survey,
    *,
    owner: bool,
    filter_question: int | None = None,
    filter_option: Any = None,
    specs: list[QuestionSpec] | None = None,
    answer_sets: list[dict[int, Any]] | None = None,
) -> dict:
    """The results document of every response now; suppression applies unless ``owner``.
    ``specs`` and ``answer_sets`` may be given (tests, benchmarks) instead of loaded."""
    specs = specs if specs is not None else specs_for(survey)
    answer_sets = answer_sets if answer_sets is not None else load_answer_sets(survey)
    return counting.document(
        frame_of(survey),
        specs,
        answer_sets,
        owner=owner,
        filter_question=filter_question,
        filter_option=filter_option,
    )


# --- Who sees what ------------------------------------------------------------------------------


def results_visible(survey: Survey, *, owner: bool) -> bool:
    if owner:
        return True
    if survey.status == Survey.Status.DRAFT:
        return False
    vis = survey.results_visibility
    if vis == Survey.ResultsVisibility.OWNERS:
        return False
    if vis == Survey.ResultsVisibility.AFTER_CLOSE:
        return survey.status == Survey.Status.CLOSED
    return True


def snapshot_of(survey: Survey) -> ResultSnapshot | None:
    """The frozen results (no query when the survey was loaded with ``select_related``)."""
    try:
        return survey.snapshot
    except ResultSnapshot.DoesNotExist:
        return None


def public_results(
    survey: Survey,
    *,
    owner: bool,
    filter_question: int | None = None,
    filter_option: Any = None,
) -> dict:
    """The results as published: the frozen snapshot once closed, the live batch while open,
    exact results now for owners."""
    if not owner and filter_question is None:
        snapshot = snapshot_of(survey)
        if snapshot is not None:
            # From the canonical text, not the JSON column: a database may rewrite numbers
            # (1.0 → 1), and the published document must hash to the published sha256.
            return {**json.loads(snapshot.canonical), "snapshot_sha256": snapshot.sha256}
    if (
        not owner
        and survey.status == Survey.Status.OPEN
        and survey.results_visibility == Survey.ResultsVisibility.LIVE
    ):
        return live_results(survey, filter_question=filter_question, filter_option=filter_option)
    return compute(
        survey, owner=owner, filter_question=filter_question, filter_option=filter_option
    )


# --- Live results, in batches ---------------------------------------------------------------------


def _live_of(survey: Survey) -> LiveResults:
    try:
        return survey.live_results
    except LiveResults.DoesNotExist:
        # Every survey gets its row when it opens; this is for one opened before they existed.
        live, _ = LiveResults.objects.get_or_create(survey=survey)
        return live


def live_results(
    survey: Survey, *, filter_question: int | None = None, filter_option: Any = None
) -> dict:
    """The public live results of an open survey: the last batch, refreshed first when it is due
    (see the module's docstring). Filtered views are cut from the same batch. Refreshing is a
    conditional update: of two readers refreshing at once, one writes and the other serves what
    it wrote, so two published batches never differ by fewer than k responses (unless both count
    fewer than k)."""
    live = _live_of(survey)
    responses = survey.responses.count()
    if refresh_due(responses=responses, published=live.responses, k=survey.min_cell_size):
        refreshed = _refresh(survey, live, responses=responses)
        if refreshed is not None and filter_question is None:
            return refreshed
    if filter_question is None:
        if live.canonical:
            return json.loads(live.canonical)
        # Before the first batch: the document of no responses.
        return counting.document(
            _frame(survey, audience_size=audience_size(survey), roll_size=0),
            specs_for(survey),
            [],
            owner=False,
        )
    by_response = answers_by_response(survey) if live.response_ids else {}
    batch = [by_response[r] for r in live.response_ids if r in by_response]
    return counting.document(
        _frame(survey, audience_size=live.audience_size, roll_size=live.roll_size),
        specs_for(survey),
        _with_empty(batch, live.responses),
        owner=False,
        filter_question=filter_question,
        filter_option=filter_option,
    )


def refresh_due(*, responses: int, published: int, k: int) -> bool:
    """Whether live results counting ``published`` responses are recounted now that there are
    ``responses``: once k more have arrived, or at each response while there are fewer than k."""
    k = max(1, k)
    return responses != published and (responses < k or abs(responses - published) >= k)


def _refresh(survey: Survey, live: LiveResults, *, responses: int) -> dict | None:
    """Count every response now and make it the new batch (``live`` is updated in place).
    Returns the new public document, or None when another reader refreshed first (``live`` then
    holds their batch)."""
    by_response = answers_by_response(survey)
    answer_sets = _with_empty(list(by_response.values()), responses)
    frame = frame_of(survey)
    doc = counting.document(frame, specs_for(survey), answer_sets, owner=False)
    batch = {
        "responses": len(answer_sets),
        "response_ids": sorted(by_response),
        "audience_size": frame.audience_size,
        "roll_size": frame.roll_size,
        "canonical": canonical_json(doc).decode("utf-8"),
        "refreshed_at": timezone.now(),
    }
    if not LiveResults.objects.filter(pk=live.pk, responses=live.responses).update(**batch):
        live.refresh_from_db()
        return None
    for field, value in batch.items():
        setattr(live, field, value)
    return doc


# --- Checking a published sha256 (issue 16, defect 17) -------------------------------------------

# The fields the API adds to the frozen document, which the sha256 does not cover.
LEFT_OUT_OF_SHA256 = ("snapshot_sha256", "owner_view")


def verify_command(results_url: str) -> str:
    """One shell line that downloads the public results and prints their sha256: the canonical
    JSON (``config/canonical.py``) of the document without ``LEFT_OUT_OF_SHA256``."""
    left_out = ",".join(f'"{k}"' for k in LEFT_OUT_OF_SHA256)
    return (
        f"curl -s {results_url} | python3 -c 'import sys,json,hashlib; "
        f"d=json.load(sys.stdin); [d.pop(k,None) for k in ({left_out})]; "
        'print(hashlib.sha256(json.dumps(d,sort_keys=True,separators=(",",":"),'
        "ensure_ascii=False).encode()).hexdigest())'"
    )
