"""Owner exports: CSV (+ codebook), JSON and XLSX.

One row per response, one column per question (a matrix has one column per row). Values use the
option keys of the codebook. For an anonymous survey no export holds a user identifier, an IP or a
date; the rows are in the random order of the response keys.
"""

import csv
import io
import json
from typing import Any

from .answers import QuestionSpec, specs_for
from .models import Question, Survey

K = Question.Kind
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def columns(specs: list[QuestionSpec]) -> list[tuple[str, QuestionSpec, int | None]]:
    out = []
    for spec in specs:
        if spec.kind == K.MATRIX:
            out += [(f"{spec.key}.{row_key}", spec, row_id) for row_id, row_key, _ in spec.rows]
        else:
            out.append((spec.key, spec, None))
    return out


def codebook(specs: list[QuestionSpec]) -> list[dict[str, str]]:
    rows = []
    for name, spec, row_id in columns(specs):
        prompt = spec.prompt
        if row_id is not None:
            prompt += " / " + next(label for rid, _, label in spec.rows if rid == row_id)
        codes = "; ".join(f"{key} = {label}" for _, key, label in spec.options)
        if spec.kind == K.SCALE:
            codes = f"{spec.constraints.get('min')}..{spec.constraints.get('max')}"
        encoding = {
            K.MULTIPLE_CHOICE: "option keys separated by ';'",
            K.RANKING: "option keys in rank order separated by '>'",
        }.get(spec.kind, "")
        rows.append(
            {
                "column": name,
                "question": spec.key,
                "kind": spec.kind,
                "prompt": prompt,
                "required": "yes" if spec.required else "no",
                "codes": codes,
                "encoding": encoding,
            }
        )
    return rows


def _encode(spec: QuestionSpec, value: Any, row_id: int | None) -> str | int | float:
    keys = {o[0]: o[1] for o in spec.options}
    if value is None:
        return ""
    if spec.kind == K.SINGLE_CHOICE:
        return keys.get(value, "")
    if spec.kind == K.MULTIPLE_CHOICE:
        return ";".join(keys.get(v, "") for v in value)
    if spec.kind == K.RANKING:
        return ">".join(keys.get(v, "") for v in value)
    if spec.kind == K.MATRIX:
        return keys.get(value.get(str(row_id)), "")
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        # A spreadsheet would run "=HYPERLINK(...)" typed by a respondent: keep it text.
        return "'" + value
    return value


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
    writer = csv.DictWriter(
        buffer, fieldnames=["column", "question", "kind", "prompt", "required", "codes", "encoding"]
    )
    writer.writeheader()
    writer.writerows(book)
    return buffer.getvalue()


def to_json(survey: Survey) -> str:
    from .definition import export

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
    entries = codebook(specs_for(survey))
    keys = ["column", "question", "kind", "prompt", "required", "codes", "encoding"]
    code_sheet.append(keys)
    for entry in entries:
        code_sheet.append([entry[key] for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
