"""The log's API: entries, proofs, checkpoints, cosignatures; decisions land with their
ballots; bad input is a 400 with the field, never a 500."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from omi_commons_client import logverify as v
from rest_framework.test import APIClient

from governance.models import LedgerEntry
from transparency import checkpoints, note, tree
from transparency.models import Checkpoint, EntryLink, WitnessKey

API = "/api/v1/log"


@pytest.fixture
def api():
    return APIClient()


def _b(values):
    return [base64.b64decode(x) for x in values]


def test_a_decision_lands_with_roll_ballots_and_recomputes(decided, api):
    entry = LedgerEntry.objects.get(kind="decision.recorded")
    payload = entry.payload
    assert payload["roll"] == sorted(payload["roll"]) and len(payload["roll"]) == 3
    assert {b["voter"]: b["choice"] for b in payload["ballots"]} == {
        "chair": "yes",
        "c1": "no",
        "c2": "yes",
    }
    rules, _ = v._load_rules()
    v.recompute_decision(payload, rules)
    forged = {**payload, "outcome": "rejected" if payload["outcome"] == "accepted" else "accepted"}
    with pytest.raises(v.VerifyError):
        v.recompute_decision(forged, rules)
    votes = LedgerEntry.objects.filter(kind="vote.cast")
    assert votes.count() == 3
    link = EntryLink.objects.get(entry=entry)
    assert link.url == decided.get_absolute_url()


def test_entries_proofs_and_checkpoint(decided, api):
    size = LedgerEntry.objects.count()
    text = api.get(API + "/checkpoint").content.decode()
    key = api.get(API + "/key").json()
    assert key["origin"] == "commons.test/log"
    opened = v.open_note(text, key["verifier_key"])
    origin, tree_size, root = v.parse_checkpoint(opened)
    assert (origin, tree_size) == ("commons.test/log", size)
    entries = api.get(API + "/entries/", {"start": 0, "end": size + 10}).json()
    assert [e["index"] for e in entries] == list(range(size))
    builder = v.RootBuilder()
    for e in entries:
        leaf = v.leaf_hash(v.entry_leaf(e))
        assert base64.b64decode(e["leaf_hash"]) == leaf
        builder.add(leaf)
    assert builder.root() == root
    for index in range(size):
        proof = api.get(API + "/proof/inclusion/", {"index": index, "tree_size": size}).json()
        leaf = base64.b64decode(entries[index]["leaf_hash"])
        v.verify_inclusion(index, size, leaf, _b(proof["hashes"]), root)
    first = size // 2
    first_root = tree.root(first)
    proof = api.get(API + "/proof/consistency/", {"first": first, "second": size}).json()
    assert (proof["first"], proof["second"]) == (first, size)
    v.verify_consistency(first, size, _b(proof["hashes"]), first_root, root)
    by_size = api.get(API + "/checkpoints/", {"tree_size": size})
    assert by_size.status_code == 200 and by_size["Content-Type"].startswith("text/plain")
    assert by_size.content.decode() == text
    assert api.get(API + "/checkpoints/", {"tree_size": 10**9}).status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/entries/", {}, "start"),
        ("/entries/", {"start": "x"}, "start"),
        ("/entries/", {"start": 5, "end": 2}, "end"),
        ("/proof/inclusion/", {"index": 0}, "tree_size"),
        ("/proof/inclusion/", {"index": -1, "tree_size": 1}, "index"),
        ("/proof/inclusion/", {"index": 5, "tree_size": 5}, "detail"),
        ("/proof/inclusion/", {"index": 0, "tree_size": 10**6}, "detail"),
        ("/proof/consistency/", {"first": 0, "second": 1}, "detail"),
        ("/proof/consistency/", {"first": 3, "second": 2}, "detail"),
        ("/checkpoints/", {}, "tree_size"),
    ],
)
def test_bad_input_is_a_clear_400(db, api, path, params, field):
    from governance import ledger

    for i in range(5):
        ledger.append("test.entry", {"i": i})
    response = api.get(API + path, params)
    assert response.status_code == 400, response.content
    assert field in response.content.decode()


def test_checkpoints_are_signed_at_most_every_interval_and_kept(db, settings):
    from governance import ledger

    settings.LOG_CHECKPOINT_INTERVAL = 3600
    ledger.append("test.entry", {"i": 1})
    first = checkpoints.maybe_sign()
    ledger.append("test.entry", {"i": 2})
    assert checkpoints.maybe_sign() == first  # too soon
    assert checkpoints.maybe_sign(force=True).tree_size == 2
    assert list(Checkpoint.objects.values_list("tree_size", flat=True)) == [2, 1]


def test_a_registered_witness_cosignature_is_served(db, api):
    from governance import ledger

    ledger.append("test.entry", {"i": 1})
    cp = checkpoints.maybe_sign(force=True)
    text, _ = note.split(cp.note)
    wkey = Ed25519PrivateKey.generate()
    vkey = note.verifier_key("witness.test", note.raw_public(wkey), note.COSIGNATURE_V1)
    line = note.cosign(text, "witness.test", wkey, 1_700_000_000)
    body = {"tree_size": cp.tree_size, "cosignature": line}
    # Not registered yet: refused.
    refused = api.post(API + "/cosignatures/", body, format="json")
    assert refused.status_code == 400 and "not registered" in refused.content.decode()
    WitnessKey.objects.create(name="witness.test", verifier_key=vkey)
    bad = note.cosign(text.replace("\n1\n", "\n2\n"), "witness.test", wkey, 1_700_000_000)
    wrong = api.post(API + "/cosignatures/", {**body, "cosignature": bad}, format="json")
    assert wrong.status_code == 400 and "does not verify" in wrong.content.decode()
    ok = api.post(API + "/cosignatures/", body, format="json")
    assert ok.status_code == 201, ok.content
    served = api.get(API + "/checkpoint").content.decode()
    assert v.verify_cosignature(served, vkey) == 1_700_000_000
    assert (
        api.post(
            API + "/cosignatures/", {"tree_size": 99, "cosignature": line}, format="json"
        ).status_code
        == 400
    )
    WitnessKey.objects.update(active=False)
    assert line not in api.get(API + "/checkpoint").content.decode()


def test_private_events_and_hidden_ballots_are_not_logged(db):
    from config import events

    before = LedgerEntry.objects.count()
    events.publish("upload.created", {"upload": "u1", "filename": "x", "length": 1})
    events.publish(
        "dataset.updated",
        {"dataset": "secret", "name": "S", "changed": ["card"], "visibility": "private"},
        public=False,
    )
    assert LedgerEntry.objects.count() == before
    events.publish(
        "dataset.updated",
        {"dataset": "open", "name": "O", "changed": ["card"], "visibility": "public"},
        url="/datasets/open/",
        subject={"type": "dataset", "ref": "open"},
    )
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert (entry.kind, entry.payload["dataset"]) == ("dataset.updated", "open")
    assert entry.link.url == "/datasets/open/"


def test_any_declared_public_event_lands_without_code_here(db):
    from config import events

    events.declare("logtest.released", "test", fields=("model", "version", "manifest_sha256"))
    events.publish("logtest.released", {"model": "m", "version": "1", "manifest_sha256": "ab" * 32})
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.kind == "logtest.released" and entry.payload["manifest_sha256"] == "ab" * 32


def test_a_private_datasets_versions_are_logged_when_it_becomes_public(db, settings, tmp_path):
    from datasets_registry.models import Dataset
    from datasets_registry.services import datasets as dataset_services
    from tests.registry.factories import DatasetFactory, DatasetVersionFactory

    settings.MEDIA_ROOT = str(tmp_path / "media")
    dataset = DatasetFactory(slug="hidden", visibility=Dataset.Visibility.PRIVATE)
    version = DatasetVersionFactory(dataset=dataset, version="1.0.0")
    assert not LedgerEntry.objects.filter(kind="dataset.version_created").exists()
    dataset_services.dataset_update(dataset=dataset, actor=dataset.owner, visibility="public")
    logged = LedgerEntry.objects.get(kind="dataset.version_created")
    assert logged.payload["sha256"] == version.sha256
    assert logged.payload["published_later"] is True
    assert logged.link.url == version.get_absolute_url()
    # Private and public again: not logged twice.
    dataset_services.dataset_update(dataset=dataset, actor=dataset.owner, visibility="private")
    dataset_services.dataset_update(dataset=dataset, actor=dataset.owner, visibility="public")
    assert LedgerEntry.objects.filter(kind="dataset.version_created").count() == 1


def test_the_beat_task_signs_the_entries_of_a_burst(db, settings):
    from governance import ledger
    from transparency import tasks

    settings.LOG_CHECKPOINT_INTERVAL = 0
    for i in range(3):
        ledger.append("test.entry", {"i": i})
    assert tasks.sign_checkpoint() == 3
    assert Checkpoint.objects.filter(tree_size=3).exists()


def test_only_staff_register_witness_keys(db, client):
    from tests.factories import UserFactory

    url = "/admin/transparency/witnesskey/add/"
    member = UserFactory(username="member")
    client.force_login(member)
    assert client.get(url).status_code == 302  # to the admin login
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    client.force_login(staff)
    wkey = Ed25519PrivateKey.generate()
    vkey = note.verifier_key("w.test", note.raw_public(wkey), note.COSIGNATURE_V1)
    bad = client.post(url, {"name": "w.test", "verifier_key": "nonsense", "active": "on"})
    assert bad.status_code == 200 and "verifier key" in bad.content.decode()
    log_type = note.verifier_key("w.test", note.raw_public(wkey))
    bad = client.post(url, {"name": "w.test", "verifier_key": log_type, "active": "on"})
    assert "type 0x04" in bad.content.decode()
    ok = client.post(url, {"name": "w.test", "verifier_key": vkey, "active": "on"})
    assert ok.status_code == 302
    assert WitnessKey.objects.get().added_by == staff
    assert client.get("/admin/transparency/checkpoint/add/").status_code == 403


def test_the_signed_note_endpoints_answer_errors_as_json(db, client):
    response = client.get("/api/v1/log/checkpoints/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "tree_size" in response.json()["errors"]
