"""In-transaction handlers on governance's events (registered in ``ModelsRegistryConfig``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from config import events
from config.errors import Conflict, Invalid

from . import gate
from .events import model_subject, training_refs
from .models import ModelVersion, ReleasePolicy

KIND = "model_release"


def _version(target_id) -> ModelVersion | None:
    return ModelVersion.objects.select_related("model__group").filter(pk=target_id).first()


def check_proposal_target(event: events.Event) -> None:
    """A ``model_release`` proposal targets an existing version of a public model of the same
    group, by its manifest sha256."""
    target = event.payload.get("target")
    if not target or target.get("type") != "model_version":
        return
    version = _version(target["id"])
    if version is None or not version.model.is_public:
        raise Invalid(
            _("No such model version."), errors={"target.id": [_("Unknown model version.")]}
        )
    if version.manifest_sha256 != target["sha256"]:
        raise Invalid(
            _("The sha256 is not the version's manifest sha256."),
            errors={
                "target.sha256": [
                    _("%(version)s has manifest sha256 %(sha256)s.")
                    % {"version": version, "sha256": version.manifest_sha256}
                ]
            },
        )
    proposal = event.objects.get("proposal")
    if proposal is not None and proposal.group_id != version.model.group_id:
        raise Invalid(
            _("A release is voted in the model's working group."),
            errors={
                "group": [
                    _("%(model)s belongs to %(group)s.")
                    % {"model": version.model, "group": version.model.group.slug}
                ]
            },
        )


def check_gate_on_vote(event: events.Event) -> None:
    """The vote on a release cannot open while the gate is closed (each reason in the error)."""
    proposal = event.objects.get("proposal")
    if proposal is None or proposal.kind != KIND:
        return
    version = _version(proposal.target_id)
    if version is None:
        raise Conflict(_("The model version the proposal targets no longer exists."))
    verdict = gate.verdict(version)
    if not verdict["open"]:
        raise Conflict(gate.closed_message(verdict), errors={"gate": verdict["reasons"]})


def apply_decision(event: events.Event) -> None:
    """An accepted ``model_release`` releases its version in the decision's transaction; the
    gate is checked again (a release cannot be recorded while it is closed: the close is refused
    and retried). A rejected one changes nothing: the version stays a candidate."""
    if event.payload.get("kind") != KIND:
        return
    proposal, decision = event.objects["proposal"], event.objects["decision"]
    if decision.outcome != "accepted":
        return
    version = (
        ModelVersion.objects.select_for_update()
        .select_related("model__group")
        .filter(pk=proposal.target_id)
        .first()
    )
    if version is None:
        raise Conflict(
            _("The model version #%(id)s targeted no longer exists.") % {"id": proposal.target_id}
        )
    if version.manifest_sha256 != proposal.target_sha256:
        raise Conflict(
            _("%(version)s's manifest is not the one the proposal targeted; refusing.")
            % {"version": version}
        )
    verdict = gate.verdict(version)
    if not verdict["open"]:
        raise Conflict(gate.closed_message(verdict))
    now = timezone.now()
    version.status = ModelVersion.Status.RELEASED
    version.release_proposal_id = proposal.pk
    version.release_decision_id = decision.pk
    version.released_at = now
    version.save(
        update_fields=["status", "release_proposal_id", "release_decision_id", "released_at"]
    )
    model = version.model
    events.publish(
        "model.released",
        {
            "model": model.slug,
            "name": model.name,
            "version": version.version,
            "manifest_sha256": version.manifest_sha256,
            "training_data": training_refs(version),
            "findings": gate.findings_summary(version),
            "decision": decision.pk,
            "proposal": f"{proposal.group.slug}/{proposal.number}",
        },
        group=proposal.group_id,
        public=model.is_public,
        url=version.get_absolute_url(),
        subject=model_subject(model),
        objects={"version": version},
    )


def release_rule(group) -> str | None:
    """The rule ``group`` set for its model releases (None: the charter's default)."""
    return ReleasePolicy.objects.filter(group=group).values_list("rule", flat=True).first()
