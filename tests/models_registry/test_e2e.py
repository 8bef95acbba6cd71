"""In a real browser: a maintainer registers a version with weights and a fine-tuning script
(the form's upload shows its progress) and sees its checks and lineage; they propose the
release; the chair opens the vote; the committers vote; after the close the version page shows
it released."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services as gov
from governance.models import Proposal
from tests.governance.factories import make_due
from tests.governance.test_e2e import login

from .conftest import training
from .helpers import weights

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_register_check_vote_and_release(
    model, maintainer, chair, committers, dataset_version, live_server, browser_page, tmp_path
):
    page = browser_page
    weights_file = tmp_path / "model.safetensors"
    weights_file.write_bytes(weights())
    script = tmp_path / "finetune.py"
    script.write_text("print('fine-tune')\n")

    login(page, live_server, maintainer)
    page.goto(model.get_absolute_url())
    page.locator("#register-version").click()
    page.locator("#id_version").fill("0.1.0-alpha.1")
    page.locator("#id_weights").set_input_files(str(weights_file))
    page.locator("#id_finetune_script").set_input_files(str(script))
    page.locator("#id_training_data").fill(training(dataset_version))
    card = page.locator("#id_card").input_value()
    card = card.replace('"intended_uses": ""', '"intended_uses": "Red-team testing."')
    card = card.replace('"out_of_scope_uses": ""', '"out_of_scope_uses": "Production."')
    card = card.replace('"limitations": ""', '"limitations": "Tiny."')
    card = card.replace('"risks": ""', '"risks": "None known."')
    page.locator("#id_card").fill(card)
    page.locator("#register-submit").click()
    page.wait_for_url(re.compile(r".*/models/omi-alpha/versions/0\.1\.0-alpha\.1/$"))
    assert page.locator("#checks-badge").inner_text() == "passed"
    assert "28 parameters" in page.content()
    assert page.locator("#lineage").get_by_text("coco-demo@1.0.0").is_visible()
    assert "finetune.py" in page.locator("#manifest").inner_text()
    assert page.locator("#gate-state").inner_text() == "open"

    page.locator("#propose-release").click()
    proposal = Proposal.objects.get(kind="model_release")
    page.wait_for_url(re.compile(rf".*{re.escape(proposal.get_absolute_url())}$"))
    page.get_by_role("button", name="Move to discussion").click()
    assert "open for discussion" in page.content()

    login(page, live_server, chair)
    page.goto(proposal.get_absolute_url())
    closes = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_voting_closes_at", closes)
    page.get_by_role("button", name="Open the vote").click()
    assert "The vote is open" in page.content()

    for voter in [chair, *committers]:
        login(page, live_server, voter)
        page.goto(proposal.get_absolute_url())
        page.check("input[name=choice][value=yes]")
        page.get_by_role("button", name="Cast my vote").click()
        page.get_by_text("Your vote is recorded.").wait_for()

    make_due(proposal)
    gov.close_due_proposals()

    page.goto("/models/omi-alpha/versions/0.1.0-alpha.1/")
    assert page.locator("#version-status").inner_text() == "Released"
    assert "Released" in page.locator("#release-state").inner_text()
    page.locator("#release-state").get_by_role("link").click()
    assert "Accepted" in page.content()
