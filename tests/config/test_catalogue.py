"""docs/events.md is the bus's own catalogue, so the documented list cannot drift from the code."""

from django.core.management import call_command

from config import events
from config.catalogue import CATALOGUE_PATH, render_catalogue


def test_the_documented_catalogue_is_the_declared_one():
    assert CATALOGUE_PATH.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/events.md is stale: run `python manage.py events_catalogue --write`"
    )


def test_every_declared_event_is_listed_with_its_fields():
    text = render_catalogue()
    for event_type in events.catalogue():
        if events.declared_in(event_type.name).startswith("tests."):
            continue
        assert f"| `{event_type.name}` |" in text
        for field in event_type.fields:
            assert f"`{field}`" in text


def test_the_command_prints_the_catalogue(capsys):
    call_command("events_catalogue")
    assert capsys.readouterr().out == render_catalogue()


def test_events_that_tests_declare_are_left_out():
    events.declare("catalogtest.happened", "A test's own event.", fields=("x",))
    assert "catalogtest.happened" not in render_catalogue()
