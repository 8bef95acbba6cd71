"""Forms whose fields depend on a kind (a proposal's kind, a survey question's kind): only the
chosen kind's fields are shown, with or without JavaScript (issue 16, defect 15).

The server renders every field; those of other kinds carry ``hidden`` (and ``data-kinds``, the
kinds they belong to) in ``templates/form_fields.html``. Without JavaScript the kind field's
"Show its fields" button (``name="show_kind"``) posts the form, and the view re-renders it for the
chosen kind without saving (``switching_kind``, ``unbound_copy``); ``static/js/kind-fields.js``
switches the fields in place and hides that button. The form's ``clean`` ignores the values of
fields that are not its kind's, so a hidden leftover never reaches a service.
"""

from django import forms


def kind_of(form: forms.Form, field: str, values, default: str) -> str:
    """The kind a form is for: the submitted one, else its initial one, else ``default``."""
    if form.is_bound:
        kind = form.data.get(form.add_prefix(field))
    else:
        kind = form.initial.get(field) or form.fields[field].initial
    return kind if kind in values else default


def show_fields_of_kind(form: forms.Form, field: str, fields_by_kind: dict, kind: str) -> None:
    """Mark the kind-specific fields for ``templates/form_fields.html``: each carries the kinds
    it belongs to (``data-kinds``) and is ``hidden`` unless it belongs to ``kind``. Works without
    JavaScript (the kind field's "Show its fields" button re-renders the form for the chosen
    kind); ``static/js/kind-fields.js`` switches them in place."""
    kinds_of: dict[str, list[str]] = {}
    for k, names in fields_by_kind.items():
        for name in names:
            kinds_of.setdefault(name, []).append(k)
    for name, kinds in kinds_of.items():
        f = form.fields[name]
        f.kinds = " ".join(kinds)
        f.hidden_for_kind = kind not in kinds
    form.fields[field].kind_switch = True
    form.fields[field].widget.attrs["data-kind-select"] = ""


def switching_kind(request) -> bool:
    """The form was posted by its "Show its fields" button: re-render, do not save."""
    return request.method == "POST" and "show_kind" in request.POST


def unbound_copy(form: forms.Form, **kwargs) -> forms.Form:
    """The same form, unbound, with what was typed as its initial data (no errors shown)."""
    initial = {name: form[name].value() for name in form.fields}
    return type(form)(initial=initial, prefix=form.prefix, **kwargs)
