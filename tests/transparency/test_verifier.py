"""The standalone verifier, the witness and ``omi log verify`` against a live test server; each
kind of tampering is caught: an edit, a deletion or a reordering by the root and the chain, a
consistent rewrite of the whole log by the consistency proof against an earlier checkpoint and
by a witness."""

import itertools
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from omi_commons_client import _rules as vendored
from omi_commons_client import cli
from omi_commons_client import logverify as v

from governance import ledger, rules
from governance.models import LedgerEntry
from transparency import checkpoints
from transparency.management.commands.log_witness import Refused, witness
from transparency.models import Checkpoint, TreeHead, TreeNode, WitnessKey

ROOT = Path(__file__).resolve().parents[2]


def _more(n=3):
    for i in range(n):
        ledger.append("test.entry", {"i": i})
    checkpoints.maybe_sign(force=True)


def _rewrite(change):
    """Rewrite the whole log consistently: entries, chain, tree, a new signed checkpoint."""
    entries = list(LedgerEntry.objects.order_by("seq"))
    change(entries)
    prev = ledger.GENESIS
    for e in entries:
        e.prev_hash = prev
        e.hash = ledger.entry_hash(
            prev,
            seq=e.seq,
            kind=e.kind,
            payload=e.payload,
            created_at=ledger.timestamp(e.created_at),
        )
        prev = e.hash
    LedgerEntry.objects.all().delete()
    LedgerEntry.objects.bulk_create(entries)
    TreeNode.objects.all().delete()
    TreeHead.objects.update(size=0)
    Checkpoint.objects.all().delete()
    checkpoints.maybe_sign(force=True)


def test_the_verifier_passes_on_a_live_log(decided, live_server, tmp_path):
    _more()
    state = tmp_path / "state.json"
    key = checkpoints.log_key().verifier_key
    report = v.verify(live_server.url, key=key, state=state)
    assert report.ok, report.problems
    assert report.decisions == 1
    assert report.tree_size == LedgerEntry.objects.count()
    # Later: the log grew; the saved checkpoint is a prefix of the new one.
    _more(5)
    again = v.verify(live_server.url, key=key, state=state)
    assert again.ok, again.problems
    assert any("consistent with the checkpoint saved earlier" in c for c in again.checks)


def test_a_pinned_key_that_differs_fails(decided, live_server):
    other = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    assert not v.verify(live_server.url, key=other).ok


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "forged_decision"])
def test_tampering_with_stored_entries_is_caught(decided, live_server, tamper):
    _more()
    entries = list(LedgerEntry.objects.order_by("seq"))
    if tamper == "edit":
        e = entries[2]
        e.payload = {**e.payload, "injected": True}
        e.save()
    elif tamper == "delete":
        entries[1].delete()
    elif tamper == "reorder":
        a, b = entries[0], entries[1]
        a.payload, b.payload = b.payload, a.payload
        a.kind, b.kind = b.kind, a.kind
        a.save()
        b.save()
    else:
        # Rewrite consistently (chain and tree recomputed, re-signed) with a forged outcome.
        def forge(es):
            d = next(e for e in es if e.kind == "decision.recorded")
            d.payload = {
                **d.payload,
                "outcome": "rejected" if d.payload["outcome"] == "accepted" else "accepted",
            }

        _rewrite(forge)
    report = v.verify(live_server.url)
    assert not report.ok
    assert report.problems


def test_a_consistent_rewrite_is_caught_by_the_saved_checkpoint_and_a_witness(
    decided, live_server, tmp_path
):
    _more()
    state = tmp_path / "state.json"
    wdir = tmp_path / "witness"
    assert v.verify(live_server.url, state=state).ok
    said = []
    first = witness(live_server.url, directory=wdir, name="w.test/witness", say=said.append)
    assert first["size"] == LedgerEntry.objects.count()

    def drop_a_vote(es):
        es[0].payload = {**es[0].payload, "rewritten": True}

    _rewrite(drop_a_vote)
    # On its own, the rewritten log is self-consistent...
    assert v.verify(live_server.url).ok
    _more(2)
    # ...but not with what a reader saved earlier, nor with what the witness signed.
    report = v.verify(live_server.url, state=state)
    assert not report.ok
    assert any("NOT consistent" in p for p in report.problems)
    with pytest.raises(Refused, match="does not extend"):
        witness(live_server.url, directory=wdir, name="w.test/witness", say=said.append)


def test_the_witness_cosigns_and_the_checkpoint_serves_it(decided, live_server, tmp_path):
    from django.core.management import call_command

    from transparency import note

    wdir = tmp_path / "w"
    out = []
    call_command(
        "log_witness",
        "--show-key",
        "--dir",
        str(wdir),
        "--name",
        "w.test/witness",
        stdout=_Collect(out),
    )
    vkey = out[0].strip()
    WitnessKey.objects.create(name="w.test/witness", verifier_key=vkey)
    _more()
    witness(live_server.url, directory=wdir, name="w.test/witness", say=out.append)
    assert "Cosigned" in out[-1]
    report = v.verify(live_server.url, witnesses=(vkey,))
    assert report.ok, report.problems
    assert any("cosigned by witness w.test/witness" in c for c in report.checks)
    _more(3)
    witness(live_server.url, directory=wdir, name="w.test/witness", say=out.append)
    # Shown another tree of a size it signed: a split view, refused.
    state_file = next(wdir.glob("log-*.json"))
    state = json.loads(state_file.read_text())
    state["root"] = "00" * 32
    state_file.write_text(json.dumps(state))
    with pytest.raises(Refused, match="split view"):
        witness(live_server.url, directory=wdir, name="w.test/witness", say=out.append)
    assert note.parse_verifier_key(vkey).key_type == note.COSIGNATURE_V1


class _Collect:
    def __init__(self, into):
        self.into = into

    def write(self, text, *a, **k):
        self.into.append(text)

    def flush(self):
        pass


def test_omi_log_verify_against_a_live_server(decided, live_server, capsys, tmp_path):
    code = cli.main(["log", "verify", live_server.url, "--json", "--state", str(tmp_path / "s")])
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads(out)
    assert data["ok"] and data["decisions"] == 1
    code = cli.main(["log", "verify", live_server.url, "--key", "x+00000000+AAAA"])
    assert code == 1
    LedgerEntry.objects.filter(seq=2).update(kind="forged")
    code = cli.main(["log", "verify", live_server.url])
    assert code == 1
    assert "does NOT verify" in capsys.readouterr().out


def test_the_verifier_imports_nothing_of_the_platform():
    code = (
        "import sys; sys.path.insert(0, 'client/src');"
        "import omi_commons_client.logverify as v; rules, src = v._load_rules();"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'config', 'transparency',"
        " 'datasets_registry', 'surveys', 'accounts', 'notifications')];"
        "assert not bad, bad; print(src)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "governance/rules.py"
    alone = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, 'governance'); import rules;"
            "assert 'django' not in sys.modules",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert alone.returncode == 0, alone.stderr


def test_the_clients_copy_of_the_rules_decides_as_the_original():
    choices = ["yes", "no", "abstain"]
    for rule in rules.RULES:
        for roll in range(0, 6):
            for n in range(0, roll + 1):
                for combo in itertools.combinations_with_replacement(choices, n):
                    for reason in ("", "because"):
                        a = rules.decide(
                            rule,
                            roll,
                            [rules.Ballot(c, reason) for c in combo],
                            quorum=Fraction(1, 2),
                        )
                        b = vendored.decide(
                            rule,
                            roll,
                            [vendored.Ballot(c, reason) for c in combo],
                            quorum=Fraction(1, 2),
                        )
                        assert (a.outcome, a.tally.as_dict(), a.explanation) == (
                            b.outcome,
                            b.tally.as_dict(),
                            b.explanation,
                        )


def test_the_verifier_passes_against_the_demo(
    transactional_db, live_server, settings, monkeypatch, tmp_path
):
    from django.core.management import call_command

    from datasets_registry import demo as registry_demo

    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The 25,014-row COCO file makes the seed slow; the other datasets show the same thing.
    monkeypatch.setattr(registry_demo, "COCO_PATH", tmp_path / "absent.jsonl")
    call_command("seed_demo")
    report = v.verify(live_server.url, download=True)
    assert report.ok, report.problems
    assert report.decisions >= 1
    assert LedgerEntry.objects.filter(kind="dataset.version_created").exists()


def test_the_clients_copy_of_the_rules_is_the_current_file():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    original = (root / "governance" / "rules.py").read_text(encoding="utf-8")
    copy = (root / "client" / "src" / "omi_commons_client" / "_rules.py").read_text(
        encoding="utf-8"
    )
    assert copy.endswith(original[3:]), (
        "client/src/omi_commons_client/_rules.py is stale: copy governance/rules.py after its header"
    )
