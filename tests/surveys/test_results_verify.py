"""The results page gives the owner the export links and everyone a command that recomputes the
published sha256, naming the fields left out (issue 16, defect 17). The command is run here."""

import re
import subprocess
import sys

from django.test import Client
from django.urls import reverse

from surveys import results, services
from tests.factories import UserFactory

from .test_lifecycle import _answer


def closed_survey(survey, staff_user):
    for i in range(9):
        _answer(survey, UserFactory(username=f"v{i}"), role=["artist", "developer"][i % 2])
    return services.survey_close(survey=survey, actor=staff_user)


def test_the_owner_sees_export_links_and_others_do_not(staff_user, survey):
    survey = closed_survey(survey, staff_user)
    owner = Client()
    owner.force_login(staff_user)
    page = owner.get(reverse("surveys:results", args=[survey.slug])).content.decode()
    for fmt in ("csv", "codebook.csv", "xlsx", "json"):
        assert reverse("surveys:export", args=[survey.slug, fmt]) in page
    public = Client().get(reverse("surveys:results", args=[survey.slug])).content.decode()
    assert reverse("surveys:export", args=[survey.slug, "csv"]) not in public


def test_the_hint_names_what_is_left_out_and_its_command_recomputes_the_hash(staff_user, survey):
    survey = closed_survey(survey, staff_user)
    page = Client().get(reverse("surveys:results", args=[survey.slug])).content.decode()
    for field in results.LEFT_OUT_OF_SHA256:
        assert f"<code>{field}</code>" in page
    published = survey.snapshot.sha256
    assert published in page
    import html

    command = html.unescape(
        re.search(r'<pre class="verify-command"[^>]*><code>(.*?)</code>', page).group(1)
    )
    assert command.startswith("curl -s http://testserver/api/v1/surveys/")
    # Run the part after the pipe on the API's answer, as a reader would.
    body = Client().get(f"/api/v1/surveys/{survey.slug}/results/").content
    python_part = command.split("| ", 1)[1]
    code = re.search(r"python3 -c '(.*)'$", python_part).group(1)
    out = subprocess.run([sys.executable, "-c", code], input=body, capture_output=True, check=True)
    assert out.stdout.decode().strip() == published
