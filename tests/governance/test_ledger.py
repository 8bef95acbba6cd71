"""The hash chain: appends, verification, tampering, and the outside verifier from the docs."""

import hashlib
import itertools
import json

import pytest
from django.core.management import call_command

from governance import ledger, services
from governance.models import LedgerEntry

from .factories import draft, in_voting, make_due

pytestmark = pytest.mark.django_db


def outside_verifier(entries: list[dict]) -> int | None:
    """The ~20-line verifier from docs/governance.md, applied to the API's output.
    Returns the seq of the first bad entry, or None when the chain holds."""
    prev = "0" * 64
    for i, e in enumerate(entries, start=1):
        body = {
            "seq": e["seq"],
            "kind": e["kind"],
            "payload": e["payload"],
            "created_at": e["created_at"],
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()
        if e["seq"] != i or e["prev_hash"] != prev or e["hash"] != digest:
            return e["seq"]
        prev = e["hash"]
    return None


def test_every_event_chains(gov):
    p = in_voting(gov.group, gov.contributor, gov.chair, title="Ünïcode — “quotes”")
    services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    services.proposal_close(proposal=make_due(p))
    kinds = list(LedgerEntry.objects.values_list("kind", flat=True))
    for kind in ["membership.changed", "proposal.created", "proposal.moved", "decision.recorded"]:
        assert kind in kinds
    entries = list(LedgerEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == ledger.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash and after.seq == before.seq + 1
    result = ledger.verify()
    assert result.ok and result.checked == len(entries)


def test_an_append_hashes_exactly_as_the_documented_algorithm_on_every_engine(gov):
    # PostgreSQL computes the hash in the append's one statement; SQLite in Python: both must be
    # the algorithm's, byte for byte, whatever the payload holds.
    awkward = {
        "title": 'Ünïcode — “quotes” \\ back\\slash "double" \n new line \t tab 😀',
        "percent": "100% %(name)s %s",
        "nested": {"z": [1, "two", None, True], "a": {"deep": "é"}},
        "number": 10**18,
    }
    first = ledger.append("test.awkward", awkward)
    second = ledger.append("test.awkward", {"again": "ß"}, group=gov.group)
    for entry in (first, second):
        stored = LedgerEntry.objects.get(pk=entry.pk)
        assert (stored.seq, stored.prev_hash, stored.hash) == (
            entry.seq,
            entry.prev_hash,
            entry.hash,
        )
        assert stored.hash == ledger.entry_hash(
            stored.prev_hash,
            seq=stored.seq,
            kind=stored.kind,
            payload=stored.payload,
            created_at=ledger.timestamp(stored.created_at),
        )
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert LedgerEntry.objects.get(pk=first.pk).payload == awkward
    assert ledger.verify().ok


def test_canonical_json_is_sorted_compact_utf8():
    assert ledger.canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_the_api_output_verifies_with_the_documented_algorithm(gov, api_client):
    in_voting(gov.group, gov.contributor, gov.chair, title="Äpfel und Birnen")
    entries = api_client.get("/api/v1/ledger/?page_size=200").json()["results"]
    assert len(entries) > 5
    assert outside_verifier(entries) is None
    entries[3]["payload"]["role"] = "chair"
    assert outside_verifier(entries) == entries[3]["seq"]


def test_a_tampered_entry_fails_verification(gov, capsys):
    draft(gov.group, gov.contributor, title="Honest")
    call_command("verify_ledger")
    assert "Ledger OK" in capsys.readouterr().out
    victim = LedgerEntry.objects.get(kind="proposal.created")
    victim.payload = {**victim.payload, "title": "Forged"}
    victim.save(update_fields=["payload"])
    result = ledger.verify()
    assert not result.ok and result.bad_seq == victim.seq
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_ledger")
    assert exit_info.value.code == 1
    assert f"seq={victim.seq}" in capsys.readouterr().err


def test_a_removed_or_rewritten_link_fails(gov):
    draft(gov.group, gov.contributor)
    middle = LedgerEntry.objects.order_by("seq")[2]
    middle.delete()
    assert ledger.verify().bad_seq == middle.seq + 1


def test_a_recomputed_hash_still_breaks_the_next_link(gov):
    draft(gov.group, gov.contributor)
    victim = LedgerEntry.objects.order_by("seq")[1]
    victim.payload = {"forged": True}
    victim.hash = ledger.entry_hash(
        victim.prev_hash,
        seq=victim.seq,
        kind=victim.kind,
        payload=victim.payload,
        created_at=ledger.timestamp(victim.created_at),
    )
    victim.save()
    result = ledger.verify()
    assert result.bad_seq == victim.seq + 1 and "prev_hash" in result.problem


def test_payloads_never_hold_floats(gov):
    entry = ledger.append("test.event", {"quorum": 0.5, "when": None, "list": (1, 2)})
    assert entry.payload == {"quorum": "0.5", "when": None, "list": [1, 2]}
    assert ledger.verify().ok
