#!/usr/bin/env bash
# Register a dataset and upload a caption file with curl (OMI Commons registry API).
#
#   OMI_URL=http://localhost:8000 OMI_TOKEN=omi_... ./docs/registry-client.sh captions.jsonl
#
# Create a token on your account page (/account/) or with
# `python manage.py create_api_token USERNAME`. Needs curl, jq and sha256sum.
set -euo pipefail

URL="${OMI_URL:-http://localhost:8000}"
TOKEN="${OMI_TOKEN:?set OMI_TOKEN to your API token}"
FILE="${1:?usage: $0 CAPTION_FILE [DATASET_SLUG] [VERSION]}"
SLUG="${2:-my-captions}"
VERSION="${3:-1.0.0}"
AUTH=(-H "Authorization: Token ${TOKEN}")

# 1. Register the dataset (skipped when it exists). The metadata is an OMI Dataset Card 1.0.0:
#    GET /api/v1/standards/omi-dataset-card/versions/1.0.0/ shows its JSON Schema.
if ! curl -fsS "${AUTH[@]}" "${URL}/api/v1/datasets/${SLUG}/" >/dev/null 2>&1; then
  curl -fsS "${AUTH[@]}" -H "Content-Type: application/json" -X POST "${URL}/api/v1/datasets/" \
    --data @- <<JSON | jq '{slug, standard, license, web_url}'
{
  "name": "My captions",
  "slug": "${SLUG}",
  "summary": "Hand-written captions of my own photographs.",
  "license": "CC-BY-4.0",
  "standard": "omi-dataset-card@1.0.0",
  "visibility": "public",
  "metadata": {
    "creators": [{"name": "Your Name", "type": "person"}],
    "provenance": "Photographs I took in 2024; captions written by me.",
    "collection": {"method": "Photographed and selected by hand.", "types": ["manual_curation"]},
    "captioning": {"method": "human", "captions_per_image": 1},
    "languages": ["en"],
    "personal_information": {"contains_personal_data": "no", "handling": "No people are shown."},
    "consent": {"basis": "My own photographs.", "opt_out": "Not applicable: no people are shown."},
    "intended_uses": ["Training text-to-image models"],
    "limitations": "A few hundred images of one city.",
    "biases": "One photographer's taste and one city.",
    "contact": {"name": "Your Name", "email": "you@example.org"}
  }
}
JSON
fi

# 2. Upload the file as a version. The server hashes it while it streams; sending our own sha256
#    makes it refuse the upload (400) if a byte changed on the way.
SHA=$(sha256sum "${FILE}" | cut -d' ' -f1)
curl -fsS "${AUTH[@]}" -X POST "${URL}/api/v1/datasets/${SLUG}/versions/" \
  -F "file=@${FILE}" -F "version=${VERSION}" -F "sha256=${SHA}" \
  | jq '{version, sha256, size, format, row_count, column_mapping, validation_url}'

# 3. Its Croissant 1.1 description, and the caption validation run (queued by the upload).
curl -fsS "${URL}/api/v1/datasets/${SLUG}/versions/${VERSION}/croissant/" | jq '.distribution'
curl -fsS "${URL}/api/v1/datasets/${SLUG}/versions/${VERSION}/validation/" | jq '{status, progress}' || true
