"""What caption validation does when the registry announces something (``config.events``).

The registry never imports this app: it publishes ``dataset.version_created`` and we listen.
"""

from __future__ import annotations

from config import events
from datasets_registry.models import DatasetVersion

from . import services


@events.in_transaction("dataset.version_created")
def validate_new_version(event: events.Event) -> None:
    """Queue a run of the new version, in the version's own transaction: the run row commits (or
    rolls back) with the version, and its coordinator is sent only after the commit."""
    version = event.objects.get("version")
    if version is None:
        version = DatasetVersion.objects.select_related("dataset__standard_version").get(
            dataset__slug=event.payload["dataset"], version=event.payload["version"]
        )
    # Looked up at call time, so that a test can replace run_create.
    services.run_create(version=version, actor=event.objects.get("actor"))
