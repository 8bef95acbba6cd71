"""Issue 10, item 20: ``seed_demo`` makes each part of the demo whole or not at all, so a seed
that fails halfway is completed by a rerun (it used to skip a part whose first row existed)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import datasets_registry.services
import governance.services
from datasets_registry import demo as registry_demo
from datasets_registry.models import Dataset
from governance import ledger
from governance.models import Decision, Proposal
from surveys import demo as surveys_demo
from surveys.models import Survey

pytestmark = pytest.mark.django_db

STATUSES = {
    "Caption length guideline: 8 to 77 tokens": "draft",
    "Require an SPDX licence on every caption row": "discussion",
    "Exclude captions shorter than three words": "voting",
    "Adopt the captioning style guide v1": "accepted",
    "Caption every image twice with two different models": "rejected",
    "Rename the captioning channel": "withdrawn",
    "Promote demo-contributor to committer": "discussion",
    "Record the caption language as a BCP 47 tag": "voting",
    "Amend the charter: two chairs per working group": "discussion",
}


@pytest.fixture(autouse=True)
def _demo(settings, monkeypatch, tmp_path):
    settings.DEBUG = True
    # The 25,014-row COCO file makes each seed slow; the other datasets show the same thing.
    monkeypatch.setattr(registry_demo, "COCO_PATH", tmp_path / "absent.jsonl")


def failing_once(monkeypatch, module, name, *, when=lambda **kwargs: True, after=False):
    """Make ``module.name`` raise once, on the first call for which ``when(**kwargs)`` holds:
    before calling the real function, or ``after`` it (a crash right after it succeeded)."""
    real = getattr(module, name)
    state = {"failed": False}

    def wrapper(**kwargs):
        if state["failed"] or not when(**kwargs):
            return real(**kwargs)
        state["failed"] = True
        if after:
            real(**kwargs)
        raise RuntimeError(f"{name} failed halfway")

    monkeypatch.setattr(module, name, wrapper)
    return lambda: monkeypatch.setattr(module, name, real)


def assert_the_demo_is_complete():
    proposals = {p.title: p for p in Proposal.objects.all()}
    assert {t: proposals[t].status for t in STATUSES if t in proposals} == STATUSES
    assert Proposal.objects.count() == len(STATUSES)
    decided = {d.proposal.title: d.outcome for d in Decision.objects.select_related("proposal")}
    assert decided == {
        "Adopt the captioning style guide v1": "accepted",
        "Caption every image twice with two different models": "rejected",
    }
    assert proposals["Exclude captions shorter than three words"].votes.count() == 2
    assert proposals["Require an SPDX licence on every caption row"].comments.count() == 1
    datasets = {d.slug: d for d in Dataset.objects.all()}
    for spec in registry_demo.DATASETS:
        dataset = datasets[spec["slug"]]
        maintainers = set(dataset.maintainers.values_list("username", flat=True))
        assert maintainers == set(spec["maintainers"]), spec["slug"]
        assert dataset.versions.count() == (1 if spec["version"] else 0), spec["slug"]
    assert "coco-val2017-captions" in datasets
    assert Survey.objects.get(slug=surveys_demo.OPEN_SLUG).status == "open"
    closed = Survey.objects.get(slug=surveys_demo.CLOSED_SLUG)
    assert (closed.status, closed.responses.count()) == ("closed", 320)
    assert ledger.verify().ok


def test_a_governance_part_that_fails_halfway_is_completed_by_the_rerun(monkeypatch):
    # The first close fails: "Adopt the captioning style guide v1" is then drafted, discussed,
    # opened and voted on, but not closed.
    restore = failing_once(monkeypatch, governance.services, "proposal_close")
    with pytest.raises(Exception, match="proposal_close failed halfway") as failure:
        call_command("seed_demo")
    restore()
    call_command("seed_demo")
    assert_the_demo_is_complete()
    # The command said where it stopped and what to do.
    assert isinstance(failure.value, CommandError)
    assert "governance.demo.seed" in str(failure.value)
    assert "run seed_demo again" in str(failure.value)


def test_a_registry_part_that_fails_halfway_is_completed_by_the_rerun(monkeypatch, capsys):
    # A crash right after garden-birds is registered, before its maintainer and version.
    restore = failing_once(
        monkeypatch,
        datasets_registry.services,
        "dataset_register",
        when=lambda **kwargs: kwargs["slug"] == "garden-birds",
        after=True,
    )
    with pytest.raises(Exception, match="dataset_register failed halfway"):
        call_command("seed_demo")
    restore()
    call_command("seed_demo")
    assert_the_demo_is_complete()
    # garden-birds was rolled back whole, so the rerun made it (and the three the first run never
    # reached) anew.
    assert "4 new dataset(s)" in capsys.readouterr().out


def test_a_complete_demo_is_left_as_it_is():
    call_command("seed_demo")
    counts = (Proposal.objects.count(), Dataset.objects.count(), Survey.objects.count())
    entries = ledger.verify().checked
    call_command("seed_demo")
    assert (Proposal.objects.count(), Dataset.objects.count(), Survey.objects.count()) == counts
    assert ledger.verify().checked == entries
    assert_the_demo_is_complete()
