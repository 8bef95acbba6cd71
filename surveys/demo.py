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


# The open survey in the site's other languages, as its author would write them (the survey
# editor's per-language fields): English source text -> (Italian, Brazilian Portuguese).
OPEN_TRANSLATIONS = {
    "About you": ("Su di te", "Sobre você"),
    "How do you mostly use open image models?": (
        "Come usi soprattutto i modelli di immagini aperti?",
        "Como você usa principalmente modelos de imagem abertos?",
    ),
    "Making art or illustration": ("Per arte o illustrazione", "Para arte ou ilustração"),
    "Building tools or products": (
        "Per creare strumenti o prodotti",
        "Para criar ferramentas ou produtos",
    ),
    "Research": ("Ricerca", "Pesquisa"),
    "For fun": ("Per divertimento", "Por diversão"),
    "Which tools do you use?": ("Quali strumenti usi?", "Quais ferramentas você usa?"),
    "Choose up to three.": ("Scegline fino a tre.", "Escolha até três."),
    "Other": ("Altro", "Outra"),
    "Which programming language do you build with?": (
        "Con quale linguaggio di programmazione sviluppi?",
        "Com qual linguagem de programação você desenvolve?",
    ),
    "About how many hours a week do you spend with these models?": (
        "Circa quante ore a settimana passi con questi modelli?",
        "Mais ou menos quantas horas por semana você passa com esses modelos?",
    ),
    "Priorities": ("Priorità", "Prioridades"),
    "Rank these research directions, most important first.": (
        "Ordina queste direzioni di ricerca, dalla più importante.",
        "Ordene estas linhas de pesquisa, da mais importante para a menos.",
    ),
    "Prompt following": ("Aderenza al prompt", "Fidelidade ao prompt"),
    "Anatomy and hands": ("Anatomia e mani", "Anatomia e mãos"),
    "Text rendering": ("Resa del testo", "Renderização de texto"),
    "Speed on consumer GPUs": ("Velocità su GPU consumer", "Velocidade em GPUs domésticas"),
    "Licence clarity of the training data": (
        "Chiarezza delle licenze dei dati di addestramento",
        "Clareza das licenças dos dados de treinamento",
    ),
    "How important is training only on consented or openly licensed data?": (
        "Quanto è importante addestrare solo su dati con consenso o con licenza aperta?",
        "Quão importante é treinar apenas com dados consentidos ou de licença aberta?",
    ),
    "How useful are these kinds of captions?": (
        "Quanto sono utili questi tipi di didascalie?",
        "Quão úteis são estes tipos de legenda?",
    ),
    "Not useful": ("Per niente utili", "Nada úteis"),
    "Somewhat": ("Abbastanza", "Mais ou menos"),
    "Very useful": ("Molto utili", "Muito úteis"),
    "Short tags": ("Tag brevi", "Tags curtas"),
    "Natural sentences": ("Frasi naturali", "Frases naturais"),
    "Detailed paragraphs": ("Paragrafi dettagliati", "Parágrafos detalhados"),
    "Why does consent matter so much to you?": (
        "Perché il consenso conta così tanto per te?",
        "Por que o consentimento importa tanto para você?",
    ),
}


def _translations_of(text: str) -> dict[str, str] | None:
    found = OPEN_TRANSLATIONS.get(text)
    return {"it": found[0], "pt-BR": found[1]} if found else None


def _choice(item):
    """An option or a matrix row with the author's translations of its label."""
    entry = dict(item) if isinstance(item, dict) else {"label": item}
    texts = _translations_of(entry["label"])
    return {**entry, "translations": texts} if texts else item


def translated(definition: dict) -> dict:
    """``definition`` with OPEN_TRANSLATIONS attached to its sections, questions, options and
    rows, in the definition format's ``translations``."""
    for section in definition["sections"]:
        if texts := _translations_of(section["title"]):
            section["translations"] = {lang: {"title": t} for lang, t in texts.items()}
        for question in section["questions"]:
            by_language: dict[str, dict[str, str]] = {}
            for field in ("prompt", "help"):
                for lang, t in (_translations_of(question.get(field, "")) or {}).items():
                    by_language.setdefault(lang, {})[field] = t
            if by_language:
                question["translations"] = by_language
            for field in ("options", "rows"):
                if field in question:
                    question[field] = [_choice(item) for item in question[field]]
    return definition


def open_definition(group: str | None) -> dict:
    return translated(
        {
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
    )


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
