"""The caption validation engine. Imports no Django; see docs/captions.md.

Public API (kept stable for the registry, the pipeline and the CLI):

- rule sets: ``validate_ruleset``, ``resolve_ruleset``, ``DEFAULT_RULESET``, ``RULES``
"""

from .ruleset import DEFAULT_RULESET, RULES, RULESET_SCHEMA, resolve_ruleset, validate_ruleset

ENGINE_VERSION = "1.0.0"

__all__ = [
    "DEFAULT_RULESET",
    "ENGINE_VERSION",
    "RULES",
    "RULESET_SCHEMA",
    "resolve_ruleset",
    "validate_ruleset",
]
