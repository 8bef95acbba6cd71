"""The question kinds, one object each, registered here and nowhere else.

    from surveys import kinds

    kinds.of(spec).clean(spec, value)     # a QuestionSpec, a definition's dict or a kind name

See ``base.QuestionKind`` for what a kind does. Adding a kind: a ``Question.Kind`` choice (and a
migration), a class here, its answer widget template, and its name in the definition schema.
"""

from __future__ import annotations

from typing import Any

from ..models import Question
from .base import FORMULA_STARTS, FormValueError, QuestionKind, as_int, cell, is_empty
from .choice import MultipleChoice, Ranking, SingleChoice
from .matrix import Matrix
from .numeric import LIMIT, Number, Scale, as_number, finite
from .text import LongText, ShortText

KINDS: dict[str, QuestionKind] = {
    kind.name: kind
    for kind in (
        SingleChoice(),
        MultipleChoice(),
        ShortText(),
        LongText(),
        Number(),
        Scale(),
        Ranking(),
        Matrix(),
    )
}
if set(KINDS) != set(Question.Kind.values):
    # Every kind a question may have in the database has its object, and no other.
    raise RuntimeError("surveys.kinds and Question.Kind disagree")


def of(item: Any) -> QuestionKind:
    """The kind of a ``QuestionSpec``, a question, a definition's question (dict) or a name."""
    name = item.get("kind") if isinstance(item, dict) else getattr(item, "kind", item)
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"No question kind {name!r}.") from None


__all__ = [
    "FORMULA_STARTS",
    "KINDS",
    "LIMIT",
    "FormValueError",
    "QuestionKind",
    "as_int",
    "as_number",
    "cell",
    "finite",
    "is_empty",
    "of",
]
