import json

from datasets_registry.captions import DEFAULT_RULESET, RULES, resolve_ruleset, validate_ruleset
from datasets_registry.captions.ruleset import RULESET_SCHEMA, SCHEMA_PATH


def test_it_accepts_the_defaults_and_an_empty_rule_set():
    assert validate_ruleset(DEFAULT_RULESET) == {}
    assert validate_ruleset({}) == {}


def test_the_schema_file_is_up_to_date():
    assert json.loads(SCHEMA_PATH.read_text()) == RULESET_SCHEMA


def test_every_rule_has_a_stable_code_severity_and_explanation():
    for code, spec in RULES.items():
        assert code.islower() and " " not in code
        assert spec["severity"] in ("error", "warning")
        assert spec["explanation"].endswith(".")


def test_it_reports_errors_by_json_pointer():
    errors = validate_ruleset(
        {
            "rules": {
                "nope": {},
                "caption_too_long": {"severity": "fatal", "max_chars": 0},
            },
            "allowed_languages": ["english"],
            "extra": 1,
        }
    )
    assert "/rules" in errors and "nope" in errors["/rules"][0]
    assert "/rules/caption_too_long/severity" in errors
    assert "/rules/caption_too_long/max_chars" in errors
    assert "/allowed_languages/0" in errors
    assert "/" in errors


def test_it_checks_licences_bounds_and_structural_rules():
    errors = validate_ruleset(
        {
            "rules": {
                "caption_too_short": {"min_chars": 500},
                "caption_too_long": {"max_chars": 100},
                "unreadable_row": {"enabled": False},
            },
            "allowed_licenses": ["CC-BY-4.0", "not a licence", "LicenseRef-Mine"],
        }
    )
    assert list(errors) == [
        "/rules/caption_too_short/min_chars",
        "/rules/unreadable_row/enabled",
        "/allowed_licenses/1",
    ]


def test_it_rejects_a_non_object():
    assert validate_ruleset([]) == {"/": ["[] is not of type 'object'"]}


def test_resolve_fills_in_defaults_and_keeps_overrides():
    eff = resolve_ruleset(
        {"rules": {"clip_token_limit": {"severity": "error"}}, "banned_terms": ["x"]}
    )
    assert eff["rules"]["clip_token_limit"] == {
        "enabled": True,
        "severity": "error",
        "max_tokens": 77,
    }
    assert eff["rules"]["caption_too_long"]["max_chars"] == 1000
    assert eff["banned_terms"] == ["x"]
    assert resolve_ruleset(None) == DEFAULT_RULESET
    # the default is not mutated by a resolved copy
    eff["rules"]["caption_empty"]["severity"] = "warning"
    assert DEFAULT_RULESET["rules"]["caption_empty"]["severity"] == "error"
