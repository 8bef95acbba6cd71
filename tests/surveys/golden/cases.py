"""Result documents for fixed answer sets, recorded before the kinds and counting refactor: the
counting must stay byte-identical (the published snapshots' sha256 depend on it).

``documents()`` computes every case with the current code; ``results.json`` holds the sha256 of
the canonical JSON of each document as the code computed it when the cases were recorded (to see
what changed, compute the documents at that commit and at yours, and diff them). Regenerate only for a deliberate change of the published
shape: ``python manage.py shell -c "from tests.surveys.golden import cases; cases.write()"``.
"""

import hashlib
import json
import random
from pathlib import Path

from config.errors import Invalid
from surveys import results
from surveys.answers import QuestionSpec
from surveys.models import Survey

SPECS = [
    QuestionSpec(
        id=1,
        key="role",
        kind="single_choice",
        prompt="Role",
        required=True,
        section_id=1,
        options=((11, "artist", "Artist"), (12, "dev", "Developer"), (13, "res", "Researcher")),
    ),
    QuestionSpec(
        id=2,
        key="tools",
        kind="multiple_choice",
        prompt="Tools",
        required=False,
        section_id=1,
        options=((21, "comfy", "ComfyUI"), (22, "invoke", "Invoke"), (23, "diff", "diffusers")),
        constraints={"max_selections": 2},
    ),
    QuestionSpec(
        id=3,
        key="lang",
        kind="short_text",
        prompt="Language",
        required=False,
        section_id=1,
        show_if={"question": 1, "op": "equals", "value": 12},
    ),
    QuestionSpec(
        id=4,
        key="hours",
        kind="number",
        prompt="Hours",
        required=False,
        section_id=2,
        constraints={"min": 0, "max": 100, "integer": True},
    ),
    QuestionSpec(
        id=5,
        key="gpu",
        kind="number",
        prompt="GPU memory",
        required=False,
        section_id=2,
        constraints={},
    ),
    QuestionSpec(
        id=6,
        key="ratio",
        kind="number",
        prompt="Ratio",
        required=False,
        section_id=2,
        constraints={"min": 0, "max": 1},
    ),
    QuestionSpec(
        id=7,
        key="consent",
        kind="scale",
        prompt="Consent",
        required=True,
        section_id=2,
        constraints={"min": 1, "max": 5, "min_label": "No", "max_label": "Yes"},
    ),
    QuestionSpec(
        id=8,
        key="rank",
        kind="ranking",
        prompt="Rank",
        required=False,
        section_id=2,
        options=((81, "speed", "Speed"), (82, "quality", "Quality"), (83, "licence", "Licence")),
    ),
    QuestionSpec(
        id=9,
        key="top",
        kind="ranking",
        prompt="Top two",
        required=False,
        section_id=2,
        options=((91, "a", "A"), (92, "b", "B"), (93, "c", "C"), (94, "d", "D")),
        constraints={"max_selections": 2},
    ),
    QuestionSpec(
        id=10,
        key="captions",
        kind="matrix",
        prompt="Captions",
        required=False,
        section_id=2,
        options=((101, "bad", "Bad"), (102, "ok", "OK"), (103, "good", "Good")),
        rows=((111, "tags", "Tags"), (112, "sentences", "Sentences")),
    ),
    QuestionSpec(
        id=11,
        key="comment",
        kind="long_text",
        prompt="Comment",
        required=False,
        section_id=2,
    ),
]


def answer_sets(seed: int, n: int) -> list[dict]:
    rnd = random.Random(seed)
    sets = []
    for _ in range(n):
        a: dict = {1: rnd.choices([11, 12, 13], weights=[6, 3, 1])[0], 7: rnd.randint(1, 5)}
        if rnd.random() < 0.7:
            a[2] = sorted(rnd.sample([21, 22, 23], rnd.randint(1, 2)))
        if a[1] == 12 and rnd.random() < 0.8:
            a[3] = rnd.choice(["Python", "Rust", "Go"])
        if rnd.random() < 0.8:
            a[4] = rnd.randint(0, 100)
        if rnd.random() < 0.6:
            a[5] = rnd.choice([8, 12, 16, 24, 24, 48, 80, 6.5])
        if rnd.random() < 0.5:
            a[6] = round(rnd.random(), 3)
        if rnd.random() < 0.6:
            a[8] = rnd.sample([81, 82, 83], 3)
        if rnd.random() < 0.4:
            a[9] = rnd.sample([91, 92, 93, 94], rnd.randint(1, 2))
        if rnd.random() < 0.7:
            rows = rnd.sample(["111", "112"], rnd.randint(1, 2))
            a[10] = {r: rnd.choice([101, 102, 103]) for r in sorted(rows)}
        if rnd.random() < 0.5:
            a[11] = f"comment {rnd.randint(0, 9)}"
        sets.append(a)
    return sets


def _survey(k: int, show_free_text: bool) -> Survey:
    return Survey(
        slug="golden",
        title="Golden",
        min_cell_size=k,
        audience=Survey.Audience.ANYONE,
        show_free_text=show_free_text,
    )


def _filters() -> list[tuple[int, int]]:
    # Two answers of each filterable kind, a question that is not filterable, an answer not offered.
    return [(1, 11), (1, 12), (7, 3), (7, 5), (2, 21), (1, 99)]


def documents() -> dict:
    out = {}
    for seed, n, k, free in (
        (1, 0, 5, True),
        (2, 7, 3, True),
        (3, 40, 5, True),
        (4, 120, 5, False),
    ):
        sets = answer_sets(seed, n)
        survey = _survey(k, free)
        for owner in (True, False):
            name = f"seed{seed}-n{n}-k{k}-{'owner' if owner else 'public'}"
            out[name] = results.compute(survey, owner=owner, specs=SPECS, answer_sets=sets)
            for fq, fo in _filters():
                try:
                    doc = results.compute(
                        survey,
                        owner=owner,
                        filter_question=fq,
                        filter_option=fo,
                        specs=SPECS,
                        answer_sets=sets,
                    )
                except Invalid as exc:
                    doc = {"invalid": exc.message, "errors": exc.errors}
                out[f"{name}-filter{fq}:{fo}"] = doc
    return out


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


GOLDEN = Path(__file__).with_name("results.json")


def digests() -> dict[str, str]:
    return {
        name: hashlib.sha256(canonical(doc).encode()).hexdigest()
        for name, doc in documents().items()
    }


def write() -> None:
    GOLDEN.write_text(json.dumps(digests(), indent=1, sort_keys=True) + "\n")
