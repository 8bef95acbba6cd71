"""Demo standards and datasets (documented in docs/registry.md). Idempotent, and each dataset is
made with its maintainers and version in one transaction, so a seed that fails halfway leaves no
half-registered dataset for a rerun to skip.

- OMI Dataset Card 1.0.0 (adopted; shipped by migration) and a 1.1.0 draft by the demo chair, so
  the draft editor and the diff have something to show.
- Public datasets conforming to 1.0.0, one with the real COCO 2017 validation captions shipped in
  the repository, compressed, with their licence and attribution
  (``datasets_registry/demo_data/``, see its README; skipped with a message when the file is
  absent or damaged), and one private dataset.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from . import services
from .bootstrap import ensure_omi_dataset_card
from .models import Dataset

# The COCO captions, gzip-compressed, with their licence and attribution beside them.
COCO_PATH = settings.BASE_DIR / "datasets_registry" / "demo_data" / "coco_val2017_captions.jsonl.gz"
COCO_NAME = "coco_val2017_captions.jsonl"
COCO_SHA256 = "f70e957552999b27e713f15734d7ccd8c849297a6c975edd568560659493bb1d"

BASE_CARD = {
    "creators": [{"name": "OMI Commons demo", "type": "organization"}],
    "provenance": "Demo data created for OMI Commons; the captions describe invented photographs.",
    "collection": {"method": "Written by the demo team for this platform.", "types": ["synthetic"]},
    "captioning": {"method": "human", "captions_per_image": 1},
    "languages": ["en"],
    "personal_information": {
        "contains_personal_data": "no",
        "handling": "No person appears in the images or the captions.",
    },
    "consent": {"basis": "Created by the demo team.", "opt_out": "Not applicable: no people."},
    "intended_uses": ["Trying out the registry and the caption validators"],
    "limitations": "A handful of rows; not for training anything.",
    "biases": "Written by a few people in one language.",
    "contact": {"name": "OMI Commons demo", "email": "demo@example.org"},
}

COCO_CARD = {
    "creators": [
        {"name": "COCO Consortium", "type": "organization", "url": "https://cocodataset.org"}
    ],
    "source_datasets": [
        {
            "name": "Microsoft COCO 2017",
            "url": "https://cocodataset.org",
            "license": "CC-BY-4.0",
            "relation": "subset_of",
        }
    ],
    "provenance": "The COCO 2017 validation captions: about five human-written captions for each "
    "of 5,000 Flickr images. Images are not included; each row names the image file and URL, and "
    "the image's own Flickr licence (mapped to SPDX).",
    "collection": {
        "method": "Images collected from Flickr by the COCO team; captions written by crowd "
        "workers on Amazon Mechanical Turk following written instructions.",
        "types": ["web_scraping", "crowdsourcing"],
        "timeframe": {"start": "2014-01-01", "end": "2015-12-31"},
    },
    "captioning": {
        "method": "human",
        "captions_per_image": 5,
        "protocol": "Describe all the important parts of the scene in at least eight words; do not "
        "start with 'There is'; do not describe unimportant details.",
    },
    "languages": ["en"],
    "personal_information": {
        "contains_personal_data": "yes",
        "sensitive_categories": ["faces"],
        "handling": "Images show people in public and private settings; captions describe them "
        "in general terms. No names or contact details are included in the captions.",
    },
    "consent": {
        "basis": "Images carry Creative Commons licences chosen by their Flickr authors.",
        "opt_out": "Ask the COCO Consortium to remove an image; the registry publishes new "
        "versions without removed rows.",
    },
    "intended_uses": ["Benchmarking caption validators", "Research on image captioning"],
    "out_of_scope_uses": ["Commercial training: many images are licensed NonCommercial"],
    "limitations": "Captions are short and literal; many images are under NonCommercial or "
    "NoDerivatives licences, which constrain training use.",
    "biases": "Flickr photos from 2014 over-represent North America and Europe; crowd-written "
    "captions carry the annotators' assumptions about gender and age.",
    "maintenance": {"plan": "Mirrors the upstream release; no changes expected."},
    "citation": "Lin et al., Microsoft COCO: Common Objects in Context, ECCV 2014.",
    "keywords": ["coco", "captions", "benchmark"],
    "contact": {"name": "COCO Consortium", "url": "https://cocodataset.org"},
}


def _card(**changes) -> dict:
    card = copy.deepcopy(BASE_CARD)
    card.update(changes)
    return card


def _jsonl(rows: list[tuple[str, str]]) -> bytes:
    return "".join(
        json.dumps({"file_name": f, "text": t, "license": "CC0-1.0"}) + "\n" for f, t in rows
    ).encode()


GARDEN_ROWS = [
    ("garden/001.jpg", "A robin perched on a wooden fence beside a flowering hedge."),
    ("garden/002.jpg", "Two blue tits sharing a hanging seed feeder in light rain."),
    ("garden/003.jpg", "A blackbird pulling a worm from a freshly mown lawn."),
    ("garden/004.jpg", "A wren singing on a moss-covered stone wall at dawn."),
    ("garden/005.jpg", "image"),  # a placeholder, for the validators to find
]

SIGNS_CSV = (
    "url,caption,license\n"
    'https://example.org/signs/1.jpg,"A red octagonal stop sign at a quiet crossroads.",CC-BY-4.0\n'
    'https://example.org/signs/2.jpg,"A blue parking sign with a white letter P.",CC-BY-4.0\n'
    'https://example.org/signs/3.jpg,"A yellow diamond sign warning of deer crossing.",CC-BY-4.0\n'
    "https://example.org/signs/4.jpg,Contact me at someone@example.org,CC-BY-4.0\n"
)

DATASETS = [
    {
        "slug": "garden-birds",
        "name": "Garden birds",
        "summary": "Birds photographed in European gardens, captioned by hand.",
        "owner": "demo-committer2",
        "maintainers": ["demo-contributor"],
        "license": "CC0-1.0",
        "metadata": _card(
            creators=[{"name": "Lena Vogel", "type": "person"}],
            keywords=["birds", "nature"],
        ),
        "version": ("1.0.0", "garden-birds.jsonl", _jsonl(GARDEN_ROWS), False),
    },
    {
        "slug": "street-signs",
        "name": "Street signs",
        "summary": "Road signs with img2dataset-style URLs and captions.",
        "owner": "demo-committer3",
        "maintainers": [],
        "license": "CC-BY-4.0",
        "metadata": _card(
            captioning={"method": "mixed", "models": ["Florence-2-large"], "captions_per_image": 1}
        ),
        "version": ("2024-06", "street-signs.csv.gz", SIGNS_CSV.encode(), True),
    },
    {
        "slug": "internal-pilot",
        "name": "Internal pilot captions",
        "summary": "A private pilot: only its owner, maintainers and staff see it.",
        "owner": "demo-contributor",
        "maintainers": [],
        "license": "LicenseRef-Internal-Pilot",
        "visibility": "private",
        "metadata": _card(),
        "version": None,
    },
]


def _say(stdout, text: str) -> None:
    if stdout:
        stdout.write(text)


def seed(*, people, stdout=None) -> None:
    card = ensure_omi_dataset_card()
    standard = card.standard
    chair = people.get("demo-chair")
    if chair and not standard.versions.filter(version="1.1.0").exists():
        schema = copy.deepcopy(card.schema)
        schema["required"] = [*schema["required"], "maintenance"]
        from governance.models import Membership

        # The demo chair chairs the standards group (governance's seed runs first; be sure).
        Membership.objects.get_or_create(
            user=chair,
            group=standard.group,
            defaults={"role": Membership.Role.CHAIR, "status": Membership.Status.ACTIVE},
        )
        services.standard_version_create(
            standard=standard,
            actor=chair,
            version="1.1.0",
            schema=schema,
            rules=card.rules,
            changelog="## 1.1.0\n\nMakes `maintenance` required: a dataset in the corpus "
            "must say who keeps it up to date.",
        )
    created = 0
    for spec in DATASETS:
        # One transaction per dataset: registered with its maintainers and version, or not at all.
        with transaction.atomic():
            owner = people[spec["owner"]]
            dataset = Dataset.objects.filter(slug=spec["slug"]).first()
            if dataset is None:
                dataset = services.dataset_register(
                    actor=owner,
                    name=spec["name"],
                    slug=spec["slug"],
                    summary=spec["summary"],
                    license=spec["license"],
                    standard=card,
                    metadata=spec["metadata"],
                    visibility=spec.get("visibility", "public"),
                )
                for username in spec["maintainers"]:
                    dataset.maintainers.add(people[username])
                created += 1
            if spec["version"] and not dataset.versions.exists():
                label, name, data, compress = spec["version"]
                content = ContentFile(gzip.compress(data) if compress else data, name=name)
                services.dataset_version_create(
                    dataset=dataset, actor=owner, upload=content, version=label
                )
    created += _seed_coco(card, people, stdout)
    _say(stdout, f"  registry: OMI Dataset Card, {created} new dataset(s)")


@transaction.atomic
def _seed_coco(card, people, stdout) -> int:
    """The COCO dataset with its maintainer and version, in one transaction."""
    owner = people["demo-committer1"]
    dataset = Dataset.objects.filter(slug="coco-val2017-captions").first()
    created = 0
    if dataset is None:
        dataset = services.dataset_register(
            actor=owner,
            name="COCO 2017 validation captions",
            slug="coco-val2017-captions",
            summary="25,014 human-written captions of the 5,000 COCO 2017 validation images.",
            description="The captions of the [COCO](https://cocodataset.org) 2017 validation "
            "split, in the Hugging Face image-folder layout (`file_name`, `text`), with each "
            "image's URL and Flickr licence. Annotations © COCO Consortium, CC BY 4.0.",
            license="CC-BY-4.0",
            standard=card,
            metadata=COCO_CARD,
            homepage="https://cocodataset.org",
        )
        dataset.maintainers.add(people["demo-committer2"])
        created = 1
    if dataset.versions.exists():
        return created
    with tempfile.TemporaryFile() as fh:
        problem = _unpack_coco(fh)
        if problem:
            _say(stdout, f"  registry: {problem}; the COCO dataset has no version.")
            return created
        services.dataset_version_create(
            dataset=dataset,
            actor=owner,
            upload=File(fh, name=COCO_NAME),
            version="2017-val",
            notes="The COCO 2017 validation captions as shipped in `datasets_registry/demo_data/` "
            "(annotations © COCO Consortium, CC BY 4.0).",
        )
    return created


def _unpack_coco(fh) -> str | None:
    """Decompress the shipped COCO captions into ``fh`` (rewound) and check their sha256; the
    reason when they cannot be used."""
    if not COCO_PATH.exists():
        return f"{COCO_PATH} is missing"
    digest = hashlib.sha256()
    try:
        with gzip.open(COCO_PATH, "rb") as src:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                fh.write(chunk)
    except (OSError, EOFError) as exc:
        return f"{COCO_PATH} cannot be decompressed ({exc})"
    if digest.hexdigest() != COCO_SHA256:
        return f"{COCO_PATH} is damaged (its sha256 is not {COCO_SHA256[:12]}…)"
    fh.flush()
    fh.seek(0)
    return None
