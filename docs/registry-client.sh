#!/usr/bin/env bash
# Register a dataset and upload a caption file with curl (OMI Commons registry API).
#
#   OMI_URL=http://localhost:8000 OMI_TOKEN=omi_... ./docs/registry-client.sh captions.jsonl
#
# Create a token on your account page (/account/) or with
# `python manage.py create_api_token USERNAME`. Needs curl, jq and sha256sum.
# The dataset card follows the standard's *adopted* version, asked of the server (OMI_STANDARD,
# default omi-dataset-card); set OMI_STANDARD_VERSION to pin one. Every error the server answers
# is printed with its reason (field by field), and the script stops.
set -euo pipefail

URL="${OMI_URL:-http://localhost:8000}"
TOKEN="${OMI_TOKEN:?set OMI_TOKEN to your API token}"
FILE="${1:?usage: $0 CAPTION_FILE [DATASET_SLUG] [VERSION]}"
SLUG="${2:-my-captions}"
VERSION="${3:-1.0.0}"
STANDARD="${OMI_STANDARD:-omi-dataset-card}"
AUTH=(-H "Authorization: Token ${TOKEN}")
BODY="$(mktemp)"
trap 'rm -f "${BODY}"' EXIT

# api METHOD PATH [CURL ARGS...]: the response body on stdout. On an HTTP error, the server's
# message (`detail`, then each field's `errors`) on stderr and a non-zero status: curl -f would
# print only "The requested URL returned error: 400".
api() {
  local method="$1" path="$2" status
  shift 2
  if ! status=$(curl -sS -o "${BODY}" -w '%{http_code}' "${AUTH[@]}" -X "${method}" "$@" "${URL}${path}"); then
    echo "error: could not reach ${URL}" >&2
    return 1
  fi
  if [ "${status}" -ge 400 ]; then
    {
      echo "error: ${method} ${path} answered HTTP ${status}:"
      jq -r '(.detail // "(no detail)"), ((.errors // {}) | to_entries[] | "  \(.key): \(.value | if type == "array" then join(" ") else tostring end)")' \
        "${BODY}" 2>/dev/null || cat "${BODY}"
    } >&2
    return 1
  fi
  cat "${BODY}"
}

# 0. Which version of the dataset card to write: the adopted one, unless pinned.
CARD_VERSION="${OMI_STANDARD_VERSION:-$(api GET "/api/v1/standards/${STANDARD}/" | jq -r '.adopted_version // empty')}"
if [ -z "${CARD_VERSION}" ]; then
  echo "error: ${STANDARD} has no adopted version on ${URL}; set OMI_STANDARD_VERSION." >&2
  exit 1
fi
echo "Dataset card: ${STANDARD}@${CARD_VERSION}" >&2

# 1. Register the dataset (skipped when it exists). Its JSON Schema:
#    GET /api/v1/standards/${STANDARD}/versions/${CARD_VERSION}/
exists=$(curl -sS -o /dev/null -w '%{http_code}' "${AUTH[@]}" "${URL}/api/v1/datasets/${SLUG}/")
if [ "${exists}" = "404" ]; then
  api POST /api/v1/datasets/ -H "Content-Type: application/json" --data @- <<JSON | jq '{slug, standard, license, web_url}'
{
  "name": "My captions",
  "slug": "${SLUG}",
  "summary": "Hand-written captions of my own photographs.",
  "license": "CC-BY-4.0",
  "standard": "${STANDARD}@${CARD_VERSION}",
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
elif [ "${exists}" -ge 400 ]; then
  api GET "/api/v1/datasets/${SLUG}/" >/dev/null
fi

# 2. Upload the file as a version. The server hashes it while it streams; sending our own sha256
#    makes it refuse the upload (400) if a byte changed on the way.
SHA=$(sha256sum "${FILE}" | cut -d' ' -f1)
api POST "/api/v1/datasets/${SLUG}/versions/" \
  -F "file=@${FILE}" -F "version=${VERSION}" -F "sha256=${SHA}" \
  | jq '{version, sha256, size, format, row_count, column_mapping, validation_url}'

# 3. Its Croissant 1.1 description, and the caption validation run (queued by the upload).
api GET "/api/v1/datasets/${SLUG}/versions/${VERSION}/croissant/" | jq '.distribution'
api GET "/api/v1/datasets/${SLUG}/versions/${VERSION}/validation/" | jq '{status, progress}' || true
