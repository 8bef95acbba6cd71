"""Demo surveys: an open community survey with every question kind, and a closed one with a few
hundred generated responses and its frozen, published results. Idempotent."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import services
from .answers import specs_for
from .models import Answer, Response, Survey

OPEN_SLUG = "future-model-priorities"
CLOSED_SLUG = "community-pulse-2026"


def open_definition(group: str | None) -> dict:
    return {
        "slug": OPEN_SLUG,
        "title": "Future model research and training priorities",
        "introduction": (
            "The Open Model Initiative's first act was to ask its community what to build. "
            "This survey asks again: **what should the next open model be good at**, and how "
            "should it be trained? It is anonymous: your answers are never linked to you."
        ),
        "group": group,
        "audience": "signed_in",
        "anonymity": "anonymous",
        "results_visibility": "after_close",
        "min_cell_size": 5,
        "show_free_text": False,
        "sections": [
            {
                "title": "About you",
                "questions": [
                    {
                        "key": "role",
                        "kind": "single_choice",
                        "prompt": "How do you mostly use open image models?",
                        "required": True,
                        "options": [
                            {"key": "artist", "label": "Making art or illustration"},
                            {"key": "developer", "label": "Building tools or products"},
                            {"key": "researcher", "label": "Research"},
                            {"key": "hobbyist", "label": "For fun"},
                        ],
                    },
                    {
                        "key": "tools",
                        "kind": "multiple_choice",
                        "prompt": "Which tools do you use?",
                        "help": "Choose up to three.",
                        "options": [
                            "ComfyUI",
                            "Invoke",
                            "Automatic1111 / Forge",
                            "diffusers",
                            "Other",
                        ],
                        "constraints": {"min_selections": 1, "max_selections": 3},
                    },
                    {
                        "key": "stack",
                        "kind": "short_text",
                        "prompt": "Which programming language do you build with?",
                        "show_if": {"question": "role", "op": "equals", "value": "developer"},
                    },
                    {
                        "key": "hours",
                        "kind": "number",
                        "prompt": "About how many hours a week do you spend with these models?",
                        "constraints": {"min": 0, "max": 100, "integer": True},
                    },
                ],
            },
            {
                "title": "Priorities",
                "questions": [
                    {
                        "key": "priorities",
                        "kind": "ranking",
                        "prompt": "Rank these research directions, most important first.",
                        "required": True,
                        "options": [
                            "Prompt following",
                            "Anatomy and hands",
                            "Text rendering",
                            "Speed on consumer GPUs",
                            "Licence clarity of the training data",
                        ],
                    },
                    {
                        "key": "consent",
                        "kind": "scale",
                        "prompt": "How important is training only on consented or openly licensed data?",
                        "required": True,
                        "constraints": {
                            "min": 1,
                            "max": 5,
                            "min_label": "Not important",
                            "max_label": "Essential",
                        },
                    },
                    {
                        "key": "captions",
                        "kind": "matrix",
                        "prompt": "How useful are these kinds of captions?",
                        "options": ["Not useful", "Somewhat", "Very useful"],
                        "rows": ["Short tags", "Natural sentences", "Detailed paragraphs"],
                    },
                    {
                        "key": "why-consent",
                        "kind": "long_text",
                        "prompt": "Why does consent matter so much to you?",
                        "show_if": {"question": "consent", "op": "at_least", "value": 4},
                    },
                ],
            },
        ],
    }


def closed_definition(group: str | None) -> dict:
    return {
        "slug": CLOSED_SLUG,
        "title": "Community pulse: what should we release first?",
        "introduction": "A short survey of the community's first priorities. Closed.",
        "group": group,
        "audience": "anyone",
        "anonymity": "anonymous",
        "results_visibility": "after_close",
        "min_cell_size": 5,
        "sections": [
            {
                "title": "",
                "questions": [
                    {
                        "key": "first",
                        "kind": "single_choice",
                        "prompt": "What should we release first?",
                        "required": True,
                        "options": [
                            "A base image model",
                            "A captioning model",
                            "A curated dataset",
                            "Evaluation tools",
                            "Something else",
                        ],
                    },
                    {
                        "key": "license",
                        "kind": "single_choice",
                        "prompt": "Which licence do you prefer for model weights?",
                        "required": True,
                        "options": ["Apache-2.0", "MIT", "OpenRAIL", "No preference"],
                    },
                    {
                        "key": "gpu",
                        "kind": "number",
                        "prompt": "How much GPU memory do you have (GB)?",
                        "constraints": {"min": 0, "max": 96, "integer": True},
                    },
                    {
                        "key": "satisfaction",
                        "kind": "scale",
                        "prompt": "How satisfied are you with today's open models?",
                        "constraints": {"min": 1, "max": 5},
                    },
                ],
            }
        ],
    }


def _generate(survey: Survey, count: int, seed: int = 7) -> None:
    """Bulk answers for a demo: weighted choices so the charts show something."""
    rnd = random.Random(seed)
    specs = {s.key: s for s in specs_for(survey)}
    first, lic, gpu, sat = specs["first"], specs["license"], specs["gpu"], specs["satisfaction"]
    day = (survey.closes_at or timezone.now()).date()
    responses = [Response(survey=survey, submitted_on=day) for _ in range(count)]
    Response.objects.bulk_create(responses)
    answers = []
    for response in responses:
        answers.append(
            Answer(
                response=response,
                question_id=first.id,
                value=rnd.choices([o[0] for o in first.options], weights=[40, 15, 30, 12, 3])[0],
            )
        )
        answers.append(
            Answer(
                response=response,
                question_id=lic.id,
                value=rnd.choices([o[0] for o in lic.options], weights=[45, 20, 12, 23])[0],
            )
        )
        if rnd.random() < 0.9:
            answers.append(
                Answer(
                    response=response,
                    question_id=gpu.id,
                    value=rnd.choice([8, 8, 12, 12, 16, 16, 16, 24, 24, 24, 24, 48, 80]),
                )
            )
        if rnd.random() < 0.95:
            answers.append(
                Answer(
                    response=response,
                    question_id=sat.id,
                    value=rnd.choices([1, 2, 3, 4, 5], weights=[5, 15, 35, 30, 15])[0],
                )
            )
    Answer.objects.bulk_create(answers, batch_size=2000)


def seed(*, people, stdout=None) -> None:
    from governance.models import WorkingGroup

    admin = people.get("demo-admin")
    group = WorkingGroup.objects.filter(slug="steering-committee").first()
    group_slug = group.slug if group else None
    with transaction.atomic():
        if not Survey.objects.filter(slug=OPEN_SLUG).exists():
            survey = services.survey_create(definition=open_definition(group_slug), actor=admin)
            survey.closes_at = timezone.now() + timedelta(days=30)
            survey.save(update_fields=["closes_at"])
            services.survey_open(survey=survey, actor=admin)
        if not Survey.objects.filter(slug=CLOSED_SLUG).exists():
            survey = services.survey_create(definition=closed_definition(group_slug), actor=admin)
            services.survey_open(survey=survey, actor=admin)
            survey = Survey.objects.get(pk=survey.pk)
            survey.opens_at = timezone.now() - timedelta(days=40)
            survey.save(update_fields=["opens_at"])
            # Demo responses are generated straight into the ballot box (no roll entries: there
            # are no such people); real responses always go through services.response_submit.
            _generate(survey, 320)
            services.survey_close(survey=survey, actor=admin)
    if stdout:
        stdout.write(f"  surveys: '{OPEN_SLUG}' (open) and '{CLOSED_SLUG}' (closed, 320 responses)")
