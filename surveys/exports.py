"""Owner exports: CSV (+ codebook), JSON and XLSX.

One row per response, one column per question (a matrix has one column per row: each kind says
its columns and how it writes a value). Values use the option keys of the codebook. For an
anonymous survey no export holds a user identifier, an IP or a date; the rows are in the random
order of the response keys.
"""

import csv
import io
import json
from typing import Any

from django.http import HttpResponse

from . import kinds
from .answers import QuestionSpec, specs_for
from .definition import export
from .models import Survey

CODEBOOK_FIELDS = ["column", "question", "kind", "prompt", "required", "codes", "encoding"]


def columns(specs: list[QuestionSpec]) -> list[tuple[str, QuestionSpec, int | None]]:
    return [(name, spec, row_id) for spec in specs for name, row_id in kinds.of(spec).columns(spec)]


def codebook(specs: list[QuestionSpec]) -> list[dict[str, str]]:
    rows = []
    for name, spec, row_id in columns(specs):
        prompt = spec.prompt
        if row_id is not None:
            prompt += " / " + next(label for rid, _, label in spec.rows if rid == row_id)
        kind = kinds.of(spec)
        rows.append(
            {
                "column": name,
                "question": spec.key,
                "kind": spec.kind,
                "prompt": prompt,
                "required": "yes" if spec.required else "no",
                "codes": kind.codes(spec),
                "encoding": kind.encoding,
            }
        )
    return rows


def _encode(spec: QuestionSpec, value: Any, row_id: int | None) -> str | int | float:
    if value is None:
        return ""
    kind = kinds.of(spec)
    if not kind.readable(value):
        # Stored before answers were checked as they are now (say a number of 400 digits): its
        # JSON text, which every format holds and which keeps what was stored.
        return _text(json.dumps(value))
    return kind.encode(spec, value, row_id)


def _text(text: str) -> str:
    # A spreadsheet would run "=HYPERLINK(...)": keep it text.
    return "'" + text if text[:1] in kinds.FORMULA_STARTS else text


def table(survey: Survey) -> tuple[list[str], list[list[Any]]]:
    specs = specs_for(survey)
    cols = columns(specs)
    personal = not survey.is_anonymous
    header = (["respondent", "submitted_on"] if personal else []) + [c[0] for c in cols]
    answers: dict[Any, dict[int, Any]] = {}
    for response_id, qid, value in survey.responses.values_list(
        "id", "answers__question_id", "answers__value"
    ):
        answers.setdefault(response_id, {})
        if qid is not None:
            answers[response_id][qid] = value
    meta = {
        r.pk: r
        for r in survey.responses.select_related("respondent").only(
            "id", "submitted_on", "respondent__username"
        )
    }
    rows = []
    for response_id in sorted(answers, key=str):
        values = answers[response_id]
        row: list[Any] = []
        if personal:
            response = meta[response_id]
            row += [
                response.respondent.username if response.respondent else "",
                response.submitted_on.isoformat(),
            ]
        row += [_encode(spec, values.get(spec.id), row_id) for _, spec, row_id in cols]
        rows.append(row)
    return header, rows


def to_csv(survey: Survey) -> str:
    header, rows = table(survey)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def codebook_csv(survey: Survey) -> str:
    book = codebook(specs_for(survey))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CODEBOOK_FIELDS)
    writer.writeheader()
    writer.writerows(book)
    return buffer.getvalue()


def to_json(survey: Survey) -> str:
    header, rows = table(survey)
    return json.dumps(
        {
            "survey": survey.slug,
            "version": survey.version,
            "anonymity": survey.anonymity,
            "definition": export(survey),
            "codebook": codebook(specs_for(survey)),
            "columns": header,
            "responses": [dict(zip(header, row, strict=True)) for row in rows],
        },
        ensure_ascii=False,
        indent=1,
    )


def to_xlsx(survey: Survey) -> bytes:
    from openpyxl import Workbook

    header, rows = table(survey)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    code_sheet = book.create_sheet("codebook")
    code_sheet.append(CODEBOOK_FIELDS)
    for entry in codebook(specs_for(survey)):
        code_sheet.append([entry[key] for key in CODEBOOK_FIELDS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMATS = {
    # fmt: (function, content type, file name suffix)
    "csv": (to_csv, "text/csv; charset=utf-8", ".csv"),
    "codebook.csv": (codebook_csv, "text/csv; charset=utf-8", "-codebook.csv"),
    "json": (to_json, "application/json", ".json"),
    "xlsx": (
        to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
}


def download(survey: Survey, fmt: str) -> HttpResponse:
    """One export as a file download, for the website and the API alike."""
    write, content_type, suffix = FORMATS[fmt]
    response = HttpResponse(write(survey), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{survey.slug}-v{survey.version}{suffix}"'
    )
    response["Cache-Control"] = "no-store"
    return response
