"""The home page's panels (config/home.py): each panel gets only the arguments it declares."""

import pytest

from config import home
from governance import selectors

pytestmark = pytest.mark.django_db


def test_each_panel_gets_only_what_it_declares(rf, user, monkeypatch):
    seen = {}

    def public_panel() -> dict:
        seen["public"] = True
        return {"a": 1}

    def personal_panel(*, user) -> dict:
        seen["user"] = user
        return {"b": 2}

    panels = {"x.public": public_panel, "x.personal": personal_panel}
    monkeypatch.setattr(home, "PANEL_SOURCES", tuple(panels))
    monkeypatch.setattr(home, "import_string", panels.__getitem__)
    request = rf.get("/")
    request.user = user
    assert home.collect(request) == {"a": 1, "b": 2}
    assert seen == {"public": True, "user": user}


def test_a_panel_asking_for_something_unknown_is_a_clear_error(rf, user, monkeypatch):
    def greedy(*, request) -> dict:
        return {}

    monkeypatch.setattr(home, "PANEL_SOURCES", ("x.greedy",))
    monkeypatch.setattr(home, "import_string", lambda dotted: greedy)
    request = rf.get("/")
    request.user = user
    with pytest.raises(TypeError, match=r"x\.greedy asks for request; a home panel may take user"):
        home.collect(request)


def test_the_governance_panel_takes_nothing():
    assert selectors.home_panel() == {"open_votes": [], "recent_decisions": []}
