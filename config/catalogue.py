"""The event catalogue as Markdown: ``docs/events.md`` is this function's output, so the list
people read is the list the bus holds (a test compares them; ``manage.py events_catalogue
--write`` refreshes the file after an app declares a new event)."""

from pathlib import Path

from django.conf import settings

from config import events

CATALOGUE_PATH = Path(settings.BASE_DIR) / "docs" / "events.md"

_INTRODUCTION = """\
# Events

Every write service ends by publishing one of these events on the bus (`config/events.py`).
Subscribers registered in an app's `AppConfig.ready` hear it **after the writer's transaction
commits**, never inside it: a failing subscriber is logged and cannot undo the write, and slow work
is handed to Celery. In-transaction handlers (`events.in_transaction`) run inside the transaction
and may refuse the write: the registry applies an adopted standard or an accepted dataset in the
decision's own transaction, and the public ledger records each public event as the last of them.

Every event carries `name`, `payload` (the fields below), `actor`, `group`, `public`, `url`,
`subject` and `occurred_at`. People in payloads are `{"id", "username"}`. A **private** event is
never shown to people who may not see its subject: not in feeds, webhooks or the public ledger.

This file is generated: `python manage.py events_catalogue --write`.
"""


def render_catalogue() -> str:
    lines = [_INTRODUCTION]
    by_app: dict[str, list[events.EventType]] = {}
    for event_type in events.catalogue():
        if events.declared_in(event_type.name).startswith("tests."):
            continue  # an event a test declares for itself
        by_app.setdefault(event_type.app, []).append(event_type)
    for app in sorted(by_app):
        lines.append(f"\n## `{app}.*`\n")
        lines.append("| event | public | payload fields | what happened |")
        lines.append("| --- | --- | --- | --- |")
        for event_type in by_app[app]:
            fields = ", ".join(f"`{field}`" for field in event_type.fields) or "none"
            public = "yes" if event_type.public else "no"
            description = event_type.description.replace("|", "\\|")
            lines.append(f"| `{event_type.name}` | {public} | {fields} | {description} |")
    return "\n".join(lines) + "\n"
