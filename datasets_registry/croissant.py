"""Croissant 1.1 JSON-LD for a dataset version, with the Responsible-AI (RAI) fields.

The version's file is one ``cr:FileObject`` (contentUrl, contentSize, encodingFormat, sha256); a
``cr:RecordSet`` named ``captions`` describes the mapped columns (caption, image reference,
licence). RAI properties are mapped from the OMI Dataset Card metadata where present, so a dataset
conforming to another standard simply has fewer of them. Validated by ``mlcroissant`` in the tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .captions.licenses import is_valid_spdx
from .models import DatasetVersion

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
RAI_1_0 = "http://mlcommons.org/croissant/RAI/1.0"

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

ROLE_DESCRIPTIONS = {
    "caption": "The caption describing the image.",
    "image": "The image reference (relative file name or URL).",
    "license": "The licence of the image and caption (SPDX).",
}


def license_url(expression: str) -> str:
    """A single SPDX id → its spdx.org page; an expression stays as text."""
    expression = (expression or "").strip()
    if (
        expression
        and " " not in expression
        and not expression.startswith("LicenseRef-")
        and is_valid_spdx(expression)
    ):
        return f"https://spdx.org/licenses/{expression}.html"
    return expression


def _text(*parts: Any) -> str | None:
    out = [str(p).strip() for p in parts if p not in (None, "", [], {})]
    return "\n\n".join(out) or None


def _rai(metadata: dict) -> dict[str, Any]:
    collection = metadata.get("collection") or {}
    captioning = metadata.get("captioning") or {}
    personal = metadata.get("personal_information") or {}
    consent = metadata.get("consent") or {}
    maintenance = metadata.get("maintenance") or {}
    timeframe = collection.get("timeframe") or {}
    rai: dict[str, Any] = {
        "rai:dataCollection": _text(metadata.get("provenance"), collection.get("method")),
        "rai:dataCollectionType": list(collection.get("types") or []) or None,
        "rai:dataCollectionTimeframe": [
            d for d in (timeframe.get("start"), timeframe.get("end")) if d
        ]
        or None,
        "rai:dataAnnotationProtocol": _text(
            f"Captions written by: {captioning['method']}." if captioning.get("method") else None,
            captioning.get("protocol"),
        ),
        "rai:annotationsPerItem": str(captioning["captions_per_image"])
        if captioning.get("captions_per_image")
        else None,
        "rai:machineAnnotationTools": list(captioning.get("models") or []) or None,
        "rai:personalSensitiveInformation": _text(
            f"Contains personal data: {personal['contains_personal_data']}."
            if personal.get("contains_personal_data")
            else None,
            "Sensitive categories: " + ", ".join(personal["sensitive_categories"]) + "."
            if personal.get("sensitive_categories")
            else None,
            personal.get("handling"),
            f"Consent: {consent['basis']}" if consent.get("basis") else None,
            f"Opt-out: {consent['opt_out']}" if consent.get("opt_out") else None,
        ),
        "rai:dataUseCases": list(metadata.get("intended_uses") or []) or None,
        "rai:dataLimitations": _text(
            metadata.get("limitations"),
            "Out of scope: " + "; ".join(metadata["out_of_scope_uses"]) + "."
            if metadata.get("out_of_scope_uses")
            else None,
        ),
        "rai:dataBiases": _text(metadata.get("biases")),
        "rai:dataSocialImpact": _text(metadata.get("social_impact")),
        "rai:dataPreprocessingProtocol": _text(metadata.get("preprocessing")),
        "rai:dataReleaseMaintenancePlan": _text(
            maintenance.get("plan"),
            f"Updates: {maintenance['update_frequency']}"
            if maintenance.get("update_frequency")
            else None,
            maintenance.get("deprecation_policy"),
        ),
    }
    return {key: value for key, value in rai.items() if value is not None}


def _creators(metadata: dict, dataset) -> list[dict[str, Any]]:
    creators = []
    for creator in metadata.get("creators") or []:
        if not isinstance(creator, dict) or not creator.get("name"):
            continue
        kind = "sc:Organization" if creator.get("type") == "organization" else "sc:Person"
        entry = {"@type": kind, "name": creator["name"]}
        if creator.get("url"):
            entry["url"] = creator["url"]
        creators.append(entry)
    if not creators:
        creators.append({"@type": "sc:Person", "name": dataset.owner.public_name})
    return creators


def build(version: DatasetVersion, *, base_url: str | None = None) -> dict[str, Any]:
    """The Croissant 1.1 document of ``version`` (URLs absolute, under ``base_url``)."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    dataset = version.dataset
    metadata = dataset.metadata if isinstance(dataset.metadata, dict) else {}
    file_id = "caption-file"
    record_id = "captions"
    fields = []
    for role in ("caption", "image", "license"):
        column = (version.column_mapping or {}).get(role)
        if not column:
            continue
        fields.append(
            {
                "@type": "cr:Field",
                "@id": f"{record_id}/{role}",
                "name": role,
                "description": ROLE_DESCRIPTIONS[role] + f" Column {column!r} of the file.",
                "dataType": "sc:URL"
                if role == "image" and column.lower() in ("url", "image_url", "img_url")
                else "sc:Text",
                "source": {"fileObject": {"@id": file_id}, "extract": {"column": column}},
            }
        )
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": [CROISSANT_1_1, RAI_1_0],
        "name": dataset.name,
        "description": dataset.description or dataset.summary or dataset.name,
        "url": base + dataset.get_absolute_url(),
        "version": version.version,
        "datePublished": version.created_at.date().isoformat(),
        "license": license_url(dataset.license),
        "creator": _creators(metadata, dataset),
        "citeAs": metadata.get("citation") or citation_text(dataset, version, base),
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": file_id,
                "name": file_id,
                "description": f"Caption file ({version.get_format_display()}"
                + (f", {version.compression}-compressed" if version.compression else "")
                + f"), {version.row_count if version.row_count is not None else 'unknown'} rows.",
                "contentUrl": base + version.get_download_url(),
                "contentSize": f"{version.size} B",
                "encodingFormat": version.media_type,
                "sha256": version.sha256,
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": record_id,
                "name": record_id,
                "description": "One row per caption.",
                "field": fields,
            }
        ],
    }
    if dataset.homepage:
        doc["sameAs"] = dataset.homepage
    if languages := metadata.get("languages"):
        doc["inLanguage"] = list(languages)
    if keywords := metadata.get("keywords"):
        doc["keywords"] = list(keywords)
    if sources := metadata.get("source_datasets"):
        based = [s.get("url") or s.get("name") for s in sources if isinstance(s, dict)]
        if based := [b for b in based if b]:
            doc["isBasedOn"] = based
    contact = metadata.get("contact")
    if isinstance(contact, dict) and contact.get("name"):
        doc["publisher"] = {"@type": "sc:Organization", "name": contact["name"]}
        if contact.get("url"):
            doc["publisher"]["url"] = contact["url"]
        if contact.get("email"):
            doc["publisher"]["email"] = contact["email"]
    doc.update(_rai(metadata))
    return doc


def citation_text(dataset, version: DatasetVersion | None, base_url: str | None = None) -> str:
    """A BibTeX entry for the dataset (the version's when given)."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    metadata = dataset.metadata if isinstance(dataset.metadata, dict) else {}
    authors = (
        " and ".join(
            c["name"]
            for c in metadata.get("creators") or []
            if isinstance(c, dict) and c.get("name")
        )
        or dataset.owner.public_name
    )
    year = (version.created_at if version else dataset.created_at).year
    key = dataset.slug.replace("-", "_") + (
        "_" + version.version.replace(".", "_").replace("-", "_") if version else ""
    )
    url = base + (version.get_absolute_url() if version else dataset.get_absolute_url())
    lines = [
        f"@misc{{{key},",
        f"  title = {{{{{dataset.name}}}}},",
        f"  author = {{{authors}}},",
        f"  year = {{{year}}},",
    ]
    if version:
        lines.append(f"  version = {{{version.version}}},")
        lines.append(f"  note = {{sha256 {version.sha256}}},")
    lines.append(f"  howpublished = {{\\url{{{url}}}}}")
    lines.append("}")
    return "\n".join(lines)
