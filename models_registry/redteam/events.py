"""The events the red team publishes (``config.events``), declared once; imported by
``RedTeamConfig.ready``.

Public: ``campaign.opened``/``campaign.closed``, ``finding.committed`` (number, severity, time,
commitment: no content) and ``finding.status_changed`` (number, status, severity), and
``finding.disclosed`` (content and salt). Private (``public=False``, subject ``finding``, so the
notifications app tells only people who may see the finding): ``finding.filed`` and
``finding.transitioned``; ``campaign.invited`` (subject ``campaign``, told to the invitee only).
"""

from __future__ import annotations

from config import events

CAMPAIGN = ("campaign", "title", "model", "version", "manifest_sha256")

events.declare(
    "campaign.created",
    "A chair opened a red-team campaign on a model version (it runs from starts_at).",
    fields=(*CAMPAIGN, "starts_at", "ends_at", "participation", "disclosure_days"),
)
events.declare(
    "campaign.opened",
    "A red-team campaign started: findings may be filed; the version is in_red_team.",
    fields=(*CAMPAIGN, "starts_at", "ends_at"),
)
events.declare(
    "campaign.closed",
    "A red-team campaign ended: no more findings; duplicates and not-applicable findings are "
    "disclosed.",
    fields=(*CAMPAIGN, "counts"),
)
events.declare(
    "campaign.invited",
    "Someone was invited to a red-team campaign.",
    fields=(*CAMPAIGN, "invitee"),
    public=False,
)
events.declare(
    "finding.committed",
    "A finding was filed: its number, severity, time and commitment (sha256 of its content and "
    "a secret salt) enter the public record; the content stays under embargo.",
    fields=("campaign", "model", "version", "number", "severity", "filed_at", "commitment"),
)
events.declare(
    "finding.filed",
    "A finding was filed (embargoed: told to the triage team only).",
    fields=("campaign", "finding", "number", "title", "category", "severity", "reporter"),
    public=False,
)
events.declare(
    "finding.transitioned",
    "A triager moved a finding (embargoed: told to its reporter).",
    fields=("campaign", "finding", "number", "from", "to", "severity", "note", "by"),
    public=False,
)
events.declare(
    "finding.status_changed",
    "A finding's public record changed: its status and severity (no content).",
    fields=("campaign", "number", "status", "severity"),
)
events.declare(
    "finding.disclosed",
    "A finding was disclosed: its content and salt, from which anyone recomputes the "
    "commitment published when it was filed.",
    fields=(
        "campaign",
        "finding",
        "number",
        "severity",
        "resolution",
        "commitment",
        "content",
        "salt",
    ),
)


def campaign_fields(campaign) -> dict:
    version = campaign.version
    return {
        "campaign": campaign.pk,
        "title": campaign.title,
        "model": version.model.slug,
        "version": version.version,
        "manifest_sha256": version.manifest_sha256,
    }


def campaign_subject(campaign) -> dict[str, str]:
    return {"type": "campaign", "ref": str(campaign.pk)}


def finding_subject(finding) -> dict[str, str]:
    return {"type": "finding", "ref": str(finding.pk)}
