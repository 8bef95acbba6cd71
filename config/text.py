"""One message style for counts and labels (issue 16, defect 12).

- ``count(1, "error")`` is "1 error", ``count(1234, "error")`` "1,234 errors": Django's
  pluralisation (``ngettext``), never "1 errors".
- ``labelled("Which tools do you use?", "Required.")`` is "Which tools do you use? Required.":
  a colon only after a label that does not already end in punctuation (never "use?: ").
- ``without_outcome("Accepted: 3 yes needed…")`` drops an explanation's leading "Accepted: " or
  "Rejected: " where the page already says the outcome (never "Accepted. Accepted: …").
"""

from __future__ import annotations

from django.utils.translation import ngettext

# Irregular plurals the platform's messages use.
PLURALS = {"person": "people", "entry": "entries", "query": "queries", "is": "are"}
END_PUNCTUATION = ("?", "!", ".", ":", "…")


def count(n: int | None, singular: str, plural: str | None = None) -> str:
    plural = plural or PLURALS.get(singular) or f"{singular}s"
    if n is None:
        return f"? {plural}"
    return f"{n:,} {ngettext(singular, plural, n)}"


def labelled(label: str, text: str) -> str:
    label = (label or "").rstrip()
    if not label:
        return text
    if label.endswith(END_PUNCTUATION):
        return f"{label} {text}"
    return f"{label}: {text}"


def without_outcome(explanation: str) -> str:
    for prefix in ("Accepted: ", "Rejected: "):
        if explanation.startswith(prefix):
            rest = explanation[len(prefix) :]
            return rest[:1].upper() + rest[1:]
    return explanation
