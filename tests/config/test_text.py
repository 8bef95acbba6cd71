"""One message style (issue 16, defect 12): Django's pluralisation, no label cut in half, no
"a observer", no doubled punctuation."""

import pytest
from django.template import Context, Template

from config import text
from datasets_registry.validation.models import ValidationRun
from datasets_registry.validation.selectors import badge_for


def test_counts_are_pluralised():
    assert text.count(1, "error") == "1 error"
    assert text.count(0, "error") == "0 errors"
    assert text.count(243036, "warning") == "243,036 warnings"
    assert text.count(1, "person") == "1 person"
    assert text.count(2, "person") == "2 people"
    assert text.count(None, "row") == "? rows"


def test_labels_get_a_colon_only_without_their_own_punctuation():
    assert (
        text.labelled("Which tools do you use?", "Required.") == "Which tools do you use? Required."
    )
    assert text.labelled("Your role", "Chair") == "Your role: Chair"
    assert text.labelled("Note:", "x") == "Note: x"


def test_an_explanation_does_not_repeat_the_outcome():
    assert text.without_outcome("Accepted: 3 yes needed.") == "3 yes needed."
    assert text.without_outcome("Rejected: no quorum.") == "No quorum."
    assert text.without_outcome("Something else.") == "Something else."


def test_the_template_filters():
    t = Template(
        '{% load text %}{{ n|count:"error" }} / {{ p|labelled:m }} / {{ e|without_outcome }}'
    )
    out = t.render(Context({"n": 1, "p": "Why?", "m": "Required.", "e": "Accepted: yes."}))
    assert out == "1 error / Why? Required. / Yes."
    assert Template('{% load text %}{{ n|count:"person,people" }}').render(Context({"n": 3})) == (
        "3 people"
    )


def test_the_validation_badge_says_1_error_not_1_errors():
    run = ValidationRun(status=ValidationRun.Status.SUCCEEDED, counts={"by_severity": {"error": 1}})
    assert badge_for(run)["label"] == "1 error"
    run.counts = {"by_severity": {"error": 0, "warning": 1}}
    assert badge_for(run)["label"] == "1 warning"


@pytest.mark.django_db
def test_pages_say_it_once_and_in_full(client):
    from governance import services
    from governance.models import Membership
    from surveys.models import Survey
    from tests.factories import UserFactory
    from tests.governance.factories import WorkingGroupFactory, in_voting, make_due, member
    from tests.surveys.factories import make_survey

    group = WorkingGroupFactory(slug="wg", name="WG")
    chair = member(group, Membership.Role.CHAIR, "chair")
    observer = member(group, Membership.Role.OBSERVER, "obs")
    client.force_login(observer)
    page = client.get("/groups/wg/").content.decode()
    assert "a observer" not in page
    assert "Your role in this group: <strong>observer</strong>." in page
    # A decided proposal: "Accepted." once, then the reason.
    p = in_voting(group, chair, chair)
    services.vote_cast(proposal=p, voter=chair, choice="yes")
    services.proposal_close(proposal=make_due(p))
    page = client.get(p.get_absolute_url()).content.decode()
    assert "<strong>Accepted.</strong> 1 yes needed" in page
    assert "Accepted. Accepted" not in page.replace("</strong>", "")
    # The survey list's badge: the anonymity's name, not "Anonymous: …".
    survey = make_survey(actor=UserFactory(is_staff=True))
    assert survey.anonymity == Survey.Anonymity.ANONYMOUS
    page = client.get("/surveys/").content.decode()
    assert ">Anonymous</span>" in page
    assert "Anonymous: …" not in page
