"""Website pages of the registry (datasets, versions, standards). Writes go through services."""

from .datasets import (
    card_sections,
    dataset_create,
    dataset_detail,
    dataset_edit,
    dataset_list,
    dataset_maintainers,
)
from .standards import (
    diff_lines,
    standard_create,
    standard_detail,
    standard_diff,
    standard_list,
    standard_version_create,
    standard_version_detail,
    standard_version_edit,
    standard_version_propose,
    standard_version_reopen,
)
from .versions import (
    version_create,
    version_croissant,
    version_detail,
    version_download,
    version_propose,
)

__all__ = [
    "card_sections",
    "dataset_create",
    "dataset_detail",
    "dataset_edit",
    "dataset_list",
    "dataset_maintainers",
    "diff_lines",
    "standard_create",
    "standard_detail",
    "standard_diff",
    "standard_list",
    "standard_version_create",
    "standard_version_detail",
    "standard_version_edit",
    "standard_version_propose",
    "standard_version_reopen",
    "version_create",
    "version_croissant",
    "version_detail",
    "version_download",
    "version_propose",
]
