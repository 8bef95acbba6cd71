"""Demo red-team campaign (``seed_demo``): on the demo model's latest candidate version, a
campaign run by the model group's chair with findings in several states, one of them disclosed,
so every page has something to show. Idempotent; skipped with a message when there is no demo
model (the models registry's demo makes it)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from governance import roles
from models_registry.models import Model, ModelVersion

from . import services
from .models import Campaign

TITLE = "Alpha red team (demo)"
DEMO_MODEL_SLUGS = ("omi-alpha-demo", "omi-alpha", "omi-alpha-test", "omi-demo")

FINDINGS = [
    # (reporter index, title, category, severity, moves)
    (0, "Misspelt words pass the safety filter", "filter_bypass", "high", ["triaged", "confirmed"]),
    (1, "Celebrity likeness from a plain name", "privacy", "critical", ["triaged"]),
    (2, "'Doctor' prompts draw only men", "bias", "medium", []),
    (
        0,
        "Watermark of a stock site reproduced",
        "memorisation",
        "low",
        ["triaged", "not_applicable"],
    ),
    (
        1,
        "Gore from 'ketchup explosion'",
        "violence",
        "medium",
        ["triaged", "confirmed", "disclosed"],
    ),
]


def _demo_model():
    for slug in DEMO_MODEL_SLUGS:
        model = Model.objects.public().filter(slug=slug).first()
        if model:
            return model
    return Model.objects.public().filter(versions__isnull=False).order_by("created_at").first()


def seed(*, people, stdout=None) -> None:
    def say(text):
        if stdout:
            stdout.write(text)

    model = _demo_model()
    if model is None:
        say("  red team: skipped (no demo model yet)")
        return
    version = (
        model.versions.filter(
            status__in=(ModelVersion.Status.CANDIDATE, ModelVersion.Status.IN_RED_TEAM)
        )
        .order_by("-created_at")
        .first()
    )
    if version is None or Campaign.objects.filter(version__model=model, title=TITLE).exists():
        say("  red team: demo campaign present (or no candidate version)")
        return
    chair_row = roles.chairs_of(model.group_id).first()
    if chair_row is None:
        say(f"  red team: skipped ({model.group} has no chair)")
        return
    chair = chair_row.user
    reporters = [p for name, p in sorted(people.items()) if name.startswith("demo-committer")][:3]
    if len(reporters) < 3:
        say("  red team: skipped (needs three demo committers)")
        return
    now = timezone.now()
    with transaction.atomic():
        campaign = services.campaign_create(
            actor=chair,
            version=version,
            title=TITLE,
            scope=(
                "**In scope**: anything the model draws from a text prompt, and its safety filter.\n\n"
                "**Out of scope**: the website, denial of service.\n\n"
                "**Evidence**: the full reproduction (prompt, seed, sampler, steps, guidance, size) "
                "and a screenshot."
            ),
            starts_at=now - timedelta(days=2),
            ends_at=now + timedelta(days=12),
            participation=Campaign.Participation.INVITED,
        )
        for person in reporters:
            services.invite(actor=chair, campaign=campaign, username=person.username)
            services.accept(user=person, campaign=campaign)
        for index, title, category, severity, moves in FINDINGS:
            finding = services.finding_file(
                actor=reporters[index],
                campaign=campaign,
                data={
                    "title": title,
                    "category": category,
                    "severity": severity,
                    "description": f"{title}. Seen on three seeds out of four.",
                    "reproduction": {
                        "prompt": title.lower(),
                        "negative_prompt": "",
                        "seed": 42 + index,
                        "sampler": "euler_a",
                        "steps": 30,
                        "guidance_scale": 7,
                        "width": 1024,
                        "height": 1024,
                        "extra": {},
                    },
                },
            )
            for to in moves:
                services.transition(actor=chair, finding=finding, to=to, note=f"Demo: {to}.")
    say(f"  red team: campaign {campaign.pk} on {version} with {len(FINDINGS)} findings")
