"""A disclosed finding as an AVID report (AVID's report data model, ``avidtools``' ``Report``:
data_type, data_version, metadata, affects, problemtype, metrics, references, description,
impact with the AVID risk domain, SEP and lifecycle views, credit, reported_date)."""

from __future__ import annotations

from typing import Any

from .taxonomy import AVID_CLASS_NAMES, CATEGORIES


def report(finding, *, base_url: str = "") -> dict[str, Any]:
    campaign = finding.campaign
    version = campaign.version
    model = version.model
    category = CATEGORIES[finding.category]
    sep = (
        [f"{category.avid_class}: {AVID_CLASS_NAMES[category.avid_class]}"]
        if category.avid_class
        else []
    )
    references = [
        {
            "type": "source",
            "label": f"OMI Commons finding #{finding.number}",
            "url": base_url + finding.get_absolute_url(),
        },
        {
            "type": "source",
            "label": f"Campaign: {campaign.title}",
            "url": base_url + campaign.get_absolute_url(),
        },
    ]
    if category.atlas:
        references.append(
            {
                "type": "source",
                "label": f"MITRE ATLAS {category.atlas}",
                "url": "https://atlas.mitre.org/techniques/"
                + "/".join(category.atlas.rsplit(".", 1))
                if category.atlas.count(".") == 2
                else "https://atlas.mitre.org/techniques/" + category.atlas,
            }
        )
    return {
        "data_type": "AVID",
        "data_version": "0.2",
        "metadata": {"report_id": f"omi-{model.slug}-{campaign.pk}-{finding.number}"},
        "affects": {
            "developer": [model.owner.username],
            "deployer": [],
            "artifacts": [{"type": "Model", "name": f"{model.slug}@{version.version}"}],
        },
        "problemtype": {
            "classof": "Undefined",
            "type": "Issue",
            "description": {"lang": "eng", "value": finding.title},
        },
        "metrics": [],
        "references": references,
        "description": {"lang": "eng", "value": finding.description},
        "impact": {
            "avid": {
                "risk_domain": [category.avid_domain],
                "sep_view": sep,
                "lifecycle_view": ["L05: Evaluation"],
                "taxonomy_version": "0.2",
            }
        },
        "credit": [{"lang": "eng", "value": finding.reporter.username}],
        "reported_date": finding.filed_at.date().isoformat(),
        "omi": {
            "category": finding.category,
            "severity": finding.severity,
            "resolution": finding.resolution,
            "commitment": finding.commitment,
            "manifest_sha256": finding.manifest_sha256,
            "reproduction": finding.reproduction,
        },
    }
