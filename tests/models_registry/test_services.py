import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config import events
from config.errors import Conflict, Invalid, NotAllowed
from governance import services as gov
from models_registry import gate, services
from models_registry.models import ModelVersion

from .conftest import register, training
from .helpers import MODELSPEC, raw, weights


def test_register_version_records_manifest_checks_tensors_and_lineage(
    model, maintainer, dataset_version
):
    v = register(model, maintainer, dataset_version)
    assert v.status == "candidate"
    assert [f["path"] for f in v.manifest] == ["scripts/finetune.py", "unet/model.safetensors"]
    assert all(f["verified"] for f in v.manifest)
    assert v.checks == {"passed": True, "issues": []}
    assert v.tensors == {
        "unet/model.safetensors": {"count": 2, "parameters": 28, "dtypes": {"F32": 2}}
    }
    assert len(v.manifest_sha256) == 64
    assert [t.dataset_version for t in v.training_data.all()] == [dataset_version]
    assert gate.verdict(v) == {"open": True, "reasons": []}


def test_version_is_immutable(model, maintainer, dataset_version):
    v = register(model, maintainer, dataset_version)
    v.card = {"license": "MIT"}
    with pytest.raises(ValueError, match="immutable"):
        v.save()


def test_malformed_header_is_a_failed_check_not_an_error(model, maintainer, dataset_version):
    v = register(model, maintainer, dataset_version, weights_bytes=raw(b"{oops", b""))
    assert v.checks["passed"] is False
    assert v.checks["issues"][0]["file"] == "unet/model.safetensors"
    assert "not JSON" in v.checks["issues"][0]["message"]
    assert gate.verdict(v)["open"] is False


def test_metadata_checked_against_the_standard(model, maintainer, dataset_version):
    meta = {k: v for k, v in MODELSPEC.items() if k != "modelspec.title"}
    v = register(model, maintainer, dataset_version, weights_bytes=weights(metadata=meta))
    assert {
        "file": "unet/model.safetensors",
        "pointer": "/__metadata__/modelspec.title",
        "message": "This field is required.",
    } in v.checks["issues"]


def test_wrong_training_sha256_is_refused(model, maintainer, dataset_version):
    bad = json.dumps([{"dataset": "coco-demo", "version": "1.0.0", "sha256": "0" * 64}])
    with pytest.raises(Invalid) as exc:
        services.version_register(
            model=model, actor=maintainer, version="0.1.0", card="{}", training_data=bad, files=[]
        )
    assert "has sha256" in exc.value.errors["training_data/0/sha256"][0]


def test_unvalidated_training_data_is_refused(model, maintainer):
    from tests.registry.factories import DatasetVersionFactory

    dv = DatasetVersionFactory()
    with pytest.raises(Invalid) as exc:
        register(model, maintainer, dv)
    assert "never validated" in exc.value.errors["training_data/0"][0]


def test_failed_validation_is_refused(model, maintainer, dataset_version):
    run = dataset_version.validation_runs.get()
    run.counts = {"by_severity": {"error": 3}}
    run.save()
    with pytest.raises(Invalid) as exc:
        register(model, maintainer, dataset_version)
    assert "3 error(s)" in exc.value.errors["training_data/0"][0]


def test_card_validated_with_pointers(model, maintainer, dataset_version):
    with pytest.raises(Invalid) as exc:
        services.version_register(
            model=model,
            actor=maintainer,
            version="0.1.0",
            card=json.dumps({"license": 3}),
            training_data=training(dataset_version),
            files=[],
        )
    assert "card/intended_uses" in exc.value.errors
    assert "card/license" in exc.value.errors
    assert "files" in exc.value.errors


def test_outsider_cannot_register(model, other_user, dataset_version):
    with pytest.raises(NotAllowed):
        register(model, other_user, dataset_version)


def test_duplicate_label_conflicts(model, maintainer, dataset_version):
    register(model, maintainer, dataset_version)
    with pytest.raises(Conflict):
        register(model, maintainer, dataset_version)


def test_external_weights_with_header_only(model, maintainer, dataset_version):
    import struct

    data = weights()
    (n,) = struct.unpack("<Q", data[:8])
    from .conftest import upload

    header = upload("model.safetensors", data[: 8 + n])
    external = [
        {
            "path": "model.safetensors",
            "role": "weights",
            "size": len(data),
            "sha256": "a" * 64,
            "url": "https://example.org/model.safetensors",
        }
    ]
    ext = services.parse_external(external, {})
    ext[0].header = header
    v = services.version_register(
        model=model,
        actor=maintainer,
        version="0.2.0",
        card=json.dumps(__import__("tests.models_registry.helpers", fromlist=["CARD"]).CARD),
        training_data=training(dataset_version),
        files=[],
        external=ext,
    )
    assert v.manifest[0]["verified"] is False and v.manifest[0]["url"].startswith("https://")
    assert v.checks["passed"] is True, v.checks
    assert v.tensors["model.safetensors"]["count"] == 2


def _release_vote(version, maintainer, chair, committers, choice="yes"):
    proposal = services.propose_release(version=version, actor=maintainer)
    gov.proposal_to_discussion(proposal=proposal, actor=maintainer)
    gov.proposal_open_voting(
        proposal=proposal, actor=chair, closes_at=timezone.now() + timedelta(days=1)
    )
    for voter in [chair, *committers]:
        gov.vote_cast(proposal=proposal, voter=voter, choice=choice)
    return proposal, gov.proposal_close(proposal=proposal, now=timezone.now() + timedelta(days=2))


def test_release_by_vote_publishes_released(model, maintainer, chair, committers, dataset_version):
    v = register(model, maintainer, dataset_version)
    seen = []
    listener = events.in_transaction("model.released")(seen.append)
    try:
        _proposal, decision = _release_vote(v, maintainer, chair, committers)
    finally:
        events.unsubscribe(listener)
    assert decision.rule == "majority_of_all"
    v.refresh_from_db()
    assert v.status == "released" and v.release_decision_id == decision.pk
    payload = seen[0].payload
    assert payload["manifest_sha256"] == v.manifest_sha256
    assert payload["training_data"][0]["sha256"] == dataset_version.sha256
    assert payload["findings"] == {"campaigns": 0, "findings": 0, "unresolved": 0}


def test_rejected_release_leaves_a_candidate(model, maintainer, chair, committers, dataset_version):
    v = register(model, maintainer, dataset_version)
    _release_vote(v, maintainer, chair, committers, choice="no")
    v.refresh_from_db()
    assert v.status == "candidate"


def test_gate_blocks_the_vote_and_is_extensible(model, maintainer, chair, dataset_version):
    v = register(model, maintainer, dataset_version)
    proposal = services.propose_release(version=v, actor=maintainer)
    gov.proposal_to_discussion(proposal=proposal, actor=maintainer)

    @gate.gate_check("test_findings")
    def findings(version):
        return ["1 unresolved finding at or above high."]

    try:
        with pytest.raises(Conflict, match="1 unresolved finding"):
            gov.proposal_open_voting(
                proposal=proposal, actor=chair, closes_at=timezone.now() + timedelta(days=1)
            )
    finally:
        gate.unregister("test_findings")
    proposal.refresh_from_db()
    assert proposal.status == "discussion"


def test_failing_checks_close_the_gate_for_a_proposal(model, maintainer, dataset_version):
    v = register(model, maintainer, dataset_version, weights_bytes=raw(b"[]"))
    with pytest.raises(Conflict, match="manifest check"):
        services.propose_release(version=v, actor=maintainer)


def test_proposal_with_wrong_sha256_is_refused(model, maintainer, dataset_version):
    v = register(model, maintainer, dataset_version)
    with pytest.raises(Invalid):
        gov.proposal_create(
            group=model.group,
            author=maintainer,
            kind="model_release",
            title="x",
            summary="",
            body="",
            target={"type": "model_version", "id": v.pk, "sha256": "b" * 64},
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_leave_one(model_card, group, maintainer, dataset_version):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    model = services.model_create(
        actor=maintainer, name="Race", license="MIT", group=group, standard=model_card.ref
    )
    results = []

    def go():
        try:
            register(model, maintainer, dataset_version, version="1.0.0")
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 3 + ["ok"]
    assert ModelVersion.objects.filter(model=model, version="1.0.0").count() == 1


def test_events_of_a_private_model_are_not_public(model_card, group, maintainer, dataset_version):
    seen = []
    listener = events.in_transaction("model.*")(seen.append)
    try:
        private = services.model_create(
            actor=maintainer,
            name="Secret",
            license="MIT",
            group=group,
            standard=model_card.ref,
            visibility="private",
        )
        register(private, maintainer, dataset_version)
    finally:
        events.unsubscribe(listener)
    assert [e.name for e in seen] == ["model.created", "model.version_registered"]
    assert not any(e.public for e in seen)
    payload = seen[1].payload
    assert payload["training_data"] == [
        {"dataset": "coco-demo", "version": "1.0.0", "sha256": dataset_version.sha256}
    ]
    with pytest.raises(Conflict, match="private"):
        services.propose_release(version=private.versions.get(), actor=maintainer)


def test_a_group_may_require_two_thirds_for_releases(
    model, maintainer, chair, committers, dataset_version
):
    from models_registry.models import ReleasePolicy

    ReleasePolicy.objects.create(group=model.group, rule="two_thirds_of_all")
    v = register(model, maintainer, dataset_version)
    proposal = services.propose_release(version=v, actor=maintainer)
    gov.proposal_to_discussion(proposal=proposal, actor=maintainer)
    gov.proposal_open_voting(
        proposal=proposal, actor=chair, closes_at=timezone.now() + timedelta(days=1)
    )
    proposal.refresh_from_db()
    assert proposal.rule == "two_thirds_of_all"
    # Two yes of three on the roll: a majority, not two thirds... exactly two thirds passes.
    gov.vote_cast(proposal=proposal, voter=chair, choice="yes")
    gov.vote_cast(proposal=proposal, voter=committers[0], choice="no")
    decision = gov.proposal_close(proposal=proposal, now=timezone.now() + timedelta(days=2))
    assert decision.rule == "two_thirds_of_all" and decision.outcome == "rejected"
