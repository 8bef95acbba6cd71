"""Writes of the registry: standards, datasets, dataset versions, and the governance decisions.

Every function checks who may act and in which state, runs in a transaction and raises a
``config.errors`` domain error with a message a person can act on. Website views, the API, the
admin and the demo seed all come through here. By topic:

- ``standards``: drafts, immutability once proposed, adoption through a governance decision;
- ``datasets``: registration, edits (metadata re-validated), maintainers;
- ``versions``: immutable uploads, and acceptance into the corpus;
- ``common``: input checks (pure) and permissions shared by them.
"""

from .common import (
    CORPUS_GROUP_SLUG,
    JSON_SCHEMA_2020_12,
    can_edit_standard,
    license_error,
    metadata_errors,
    ruleset_errors,
    schema_errors,
)
from .datasets import (
    DATASET_EDITABLE,
    dataset_maintainer_add,
    dataset_maintainer_remove,
    dataset_register,
    dataset_update,
    resolve_standard_ref,
)
from .standards import (
    check_standard_version_target,
    on_standard_adoption,
    standard_create,
    standard_version_adopt,
    standard_version_create,
    standard_version_propose,
    standard_version_reopen,
    standard_version_update,
)
from .versions import (
    check_dataset_version_target,
    dataset_version_create,
    dataset_version_propose_acceptance,
    on_dataset_acceptance,
)

__all__ = [
    "CORPUS_GROUP_SLUG",
    "DATASET_EDITABLE",
    "JSON_SCHEMA_2020_12",
    "can_edit_standard",
    "check_dataset_version_target",
    "check_standard_version_target",
    "dataset_maintainer_add",
    "dataset_maintainer_remove",
    "dataset_register",
    "dataset_update",
    "dataset_version_create",
    "dataset_version_propose_acceptance",
    "license_error",
    "metadata_errors",
    "on_dataset_acceptance",
    "on_standard_adoption",
    "resolve_standard_ref",
    "ruleset_errors",
    "schema_errors",
    "standard_create",
    "standard_version_adopt",
    "standard_version_create",
    "standard_version_propose",
    "standard_version_reopen",
    "standard_version_update",
]
