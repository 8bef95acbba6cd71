"""Matrix: rows × one set of options; the answer maps each row id (a string) to an option id."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext

from config.text import labelled

from ..suppression import Family
from .base import QuestionKind, as_int, is_empty


class Matrix(QuestionKind):
    name = "matrix"
    has_options = True
    has_rows = True
    template = "surveys/kinds/matrix.html"

    def clean(self, spec, value):
        if not isinstance(value, dict):
            return None, gettext("Answer with one choice per row.")
        out: dict[str, int] = {}
        for row, option in value.items():
            row_id, option_id = as_int(row), as_int(option)
            if row_id is None or row_id not in spec.row_ids:
                return None, gettext("A row is not part of this question.")
            if is_empty(option):
                continue
            if option_id is None or option_id not in spec.option_ids:
                return None, gettext("This option is not offered.")
            out[str(row_id)] = option_id
        if spec.required and len(out) < len(spec.rows):
            return None, gettext("Answer every row.")
        return out, None

    def read_form(self, spec, data, name):
        """One radio group per row."""
        values = {
            str(row_id): data.get(f"{name}_r{row_id}", "")
            for row_id, _, _ in spec.rows
            if data.get(f"{name}_r{row_id}", "")
        }
        return values or None

    def widget(self, spec, value):
        return {
            "matrix": {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
        }

    def readable(self, value):
        return isinstance(value, dict) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value.values()
        )

    def count(self, spec, values, bins=None):
        rows = {}
        for row_id, _, _ in spec.rows:
            chosen = [v[str(row_id)] for v in values if str(row_id) in v]
            rows[row_id] = {"answered": len(chosen), "counts": Counter(chosen)}
        return {"rows": rows}

    def families(self, spec, raw):
        """One family per row: each row's options add up to the number who answered it."""
        return [
            Family(
                str(row_id),
                [o[0] for o in spec.options],
                raw["rows"][row_id]["counts"],
                raw["rows"][row_id]["answered"],
                True,
                1,
            )
            for row_id, _, _ in spec.rows
        ]

    def render(self, spec, raw, states, *, k, owner, show_free_text, complement):
        out = self.heading(spec, raw)
        options = [{"id": o[0], "label": o[2]} for o in spec.options]
        if states is not None and any(st is None for st in states):
            out.update(answered=None, answered_suppressed=True, rows=[], not_shown=True)
            out["options"] = options
            return out
        fams = self.families(spec, raw)
        out["rows"] = []
        for (row_id, _, label), family, st in zip(
            spec.rows, fams, states or [None] * len(fams), strict=True
        ):
            out["rows"].append(
                {"id": row_id, "label": label, **self.render_family(spec, family, raw, st)}
            )
        out["options"] = options
        return out

    def charts(self, question, k):
        return [
            {
                "id": f"chart-{question['id']}-{row['id']}",
                "title": labelled(question["prompt"], row["label"]),
                "items": row["options"],
                "answered": row["answered"],
                "heading": labelled(question["prompt"], row["label"]),
                "ranked": False,
            }
            for row in question.get("rows") or []
        ]

    def columns(self, spec):
        return [(f"{spec.key}.{row_key}", row_id) for row_id, row_key, _ in spec.rows]

    def encode(self, spec, value, row_id):
        keys = {o[0]: o[1] for o in spec.options}
        return keys.get(value.get(str(row_id)), "")
