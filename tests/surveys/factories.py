"""Survey test data: definitions and a helper that builds surveys through the services."""

import copy

import factory

from governance.models import Membership, WorkingGroup
from surveys import services
from surveys.answers import specs_for
from surveys.models import Survey

BASIC = {
    "title": "Test survey",
    "min_cell_size": 5,
    "sections": [
        {
            "title": "First",
            "questions": [
                {
                    "key": "role",
                    "kind": "single_choice",
                    "prompt": "Your role?",
                    "required": True,
                    "options": [
                        {"key": "artist", "label": "Artist"},
                        {"key": "developer", "label": "Developer"},
                        {"key": "researcher", "label": "Researcher"},
                    ],
                },
                {
                    "key": "tools",
                    "kind": "multiple_choice",
                    "prompt": "Tools?",
                    "options": ["ComfyUI", "Invoke", "diffusers"],
                    "constraints": {"max_selections": 2},
                },
                {
                    "key": "language",
                    "kind": "short_text",
                    "prompt": "Which language?",
                    "show_if": {"question": "role", "op": "equals", "value": "developer"},
                },
            ],
        },
        {
            "title": "Second",
            "questions": [
                {
                    "key": "hours",
                    "kind": "number",
                    "prompt": "Hours a week?",
                    "constraints": {"min": 0, "max": 100, "integer": True},
                },
                {
                    "key": "consent",
                    "kind": "scale",
                    "prompt": "Consent matters?",
                    "required": True,
                    "constraints": {"min": 1, "max": 5, "min_label": "No", "max_label": "Yes"},
                },
                {
                    "key": "rank",
                    "kind": "ranking",
                    "prompt": "Rank",
                    "options": ["Speed", "Quality", "Licence"],
                },
                {
                    "key": "captions",
                    "kind": "matrix",
                    "prompt": "Captions",
                    "options": ["Bad", "OK", "Good"],
                    "rows": ["Tags", "Sentences"],
                },
                {"key": "comment", "kind": "long_text", "prompt": "Anything else?"},
            ],
        },
    ],
}


def definition(**overrides) -> dict:
    d = copy.deepcopy(BASIC)
    d.update(overrides)
    return d


def make_survey(*, actor, open: bool = True, **overrides) -> Survey:
    survey = services.survey_create(definition=definition(**overrides), actor=actor)
    if open:
        survey = services.survey_open(survey=survey, actor=actor)
    return Survey.objects.get(pk=survey.pk)


def keys(survey: Survey) -> dict:
    """Question specs by key, for writing answers readably."""
    return {s.key: s for s in specs_for(survey)}


def option(spec, key: str) -> int:
    return next(o[0] for o in spec.options if o[1] == key)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"group-{n}")
    name = factory.LazyAttribute(lambda g: g.slug.replace("-", " ").title())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    role = Membership.Role.CONTRIBUTOR
    status = Membership.Status.ACTIVE
