"""Early close in the services (issue 16, defect 18): the group's setting is fixed on the vote
when it opens; the vote that settles it closes it at once; the beat's sweep catches the rest."""

import subprocess
import sys

import pytest

from governance import services
from governance.models import Decision, Proposal
from governance.services import votes as votes_service

from .factories import in_voting


def early(gov, policy, **settings):
    services.group_settings_update(
        group=gov.group,
        actor=gov.chair,
        general_rule=settings.get("general_rule", "majority_of_all"),
        quorum="0.5",
        show_live_tally=True,
        early_close=policy,
    )


def voters(gov):
    return [gov.chair, *gov.committers]  # the roll: four voting members


def test_by_default_a_vote_waits_for_its_deadline_even_when_everyone_voted(
    gov, django_capture_on_commit_callbacks
):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    assert p.early_close == "never"
    with django_capture_on_commit_callbacks(execute=True):
        for v in voters(gov):
            services.vote_cast(proposal=p, voter=v, choice="yes")
    p.refresh_from_db()
    assert p.status == Proposal.Status.VOTING
    assert services.close_due_proposals() == []


def test_all_voted_closes_when_the_last_voter_on_the_roll_votes(
    gov, django_capture_on_commit_callbacks
):
    early(gov, "all_voted")
    p = in_voting(gov.group, gov.contributor, gov.chair)
    *first, last = voters(gov)
    with django_capture_on_commit_callbacks(execute=True):
        for v in first:
            services.vote_cast(proposal=p, voter=v, choice="yes")
    p.refresh_from_db()
    assert p.status == Proposal.Status.VOTING  # three yes of four settle it, but the policy waits
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(proposal=p, voter=last, choice="no")
    p.refresh_from_db()
    assert p.status == Proposal.Status.ACCEPTED
    decision = Decision.objects.get(proposal=p)
    assert decision.tally == {"yes": 3, "no": 1, "abstain": 0}
    assert "everyone on the roll had voted" in decision.explanation
    assert p.closed_at < p.voting_closes_at


def test_settled_closes_once_the_remaining_votes_cannot_change_the_outcome(
    gov, django_capture_on_commit_callbacks
):
    early(gov, "settled")
    p = in_voting(gov.group, gov.contributor, gov.chair)
    a, b, c, _ = voters(gov)
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(proposal=p, voter=a, choice="yes")
        services.vote_cast(proposal=p, voter=b, choice="yes")
    p.refresh_from_db()
    assert p.status == Proposal.Status.VOTING  # 2 of 4 is not a majority yet
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(proposal=p, voter=c, choice="yes")
    p.refresh_from_db()
    assert p.status == Proposal.Status.ACCEPTED
    assert "1 vote still to come could not change the outcome" in p.decision.explanation


def test_the_policy_is_fixed_when_the_vote_opens(gov, django_capture_on_commit_callbacks):
    p = in_voting(gov.group, gov.contributor, gov.chair)
    early(gov, "all_voted")  # too late for p
    with django_capture_on_commit_callbacks(execute=True):
        for v in voters(gov):
            services.vote_cast(proposal=p, voter=v, choice="yes")
    p.refresh_from_db()
    assert (p.early_close, p.status) == ("never", Proposal.Status.VOTING)


def test_the_sweep_closes_a_settled_vote_whose_close_after_the_vote_failed(gov):
    early(gov, "all_voted")
    p = in_voting(gov.group, gov.contributor, gov.chair)
    for v in voters(gov):  # on-commit callbacks not run: as if the close had failed
        services.vote_cast(proposal=p, voter=v, choice="no")
    p.refresh_from_db()
    assert p.status == Proposal.Status.VOTING
    decisions = services.close_due_proposals()
    assert [d.proposal_id for d in decisions] == [p.pk]
    assert decisions[0].outcome == "rejected"


def test_an_early_close_that_is_not_allowed_yet_changes_nothing(gov):
    early(gov, "settled")
    p = in_voting(gov.group, gov.contributor, gov.chair)
    services.vote_cast(proposal=p, voter=gov.chair, choice="yes")
    assert votes_service.close_early_if_settled(proposal=p) is None
    p.refresh_from_db()
    assert p.status == Proposal.Status.VOTING
    assert not Decision.objects.filter(proposal=p).exists()


def test_an_unknown_policy_is_refused_with_its_field(gov):
    from config.errors import Invalid

    with pytest.raises(Invalid) as exc:
        early(gov, "whenever")
    assert "early_close" in exc.value.errors


def test_the_chair_sets_it_on_the_settings_page_and_a_committer_may_not(gov, client):
    client.force_login(gov.committers[0])
    form = {"general_rule": "majority_of_all", "quorum": "0.5", "early_close": "settled"}
    assert client.post(f"/groups/{gov.group.slug}/settings/", form).status_code == 403
    client.force_login(gov.chair)
    page = client.get(f"/groups/{gov.group.slug}/settings/")
    assert "Close a vote early" in page.content.decode()
    assert client.post(f"/groups/{gov.group.slug}/settings/", form).status_code == 302
    gov.group.settings.refresh_from_db()
    assert gov.group.settings.early_close == "settled"


def test_the_rules_module_imports_alone_without_django():
    code = "import sys; import governance.rules as r; assert 'django' not in sys.modules; print(r.SETTLED)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "settled"


def test_the_proposal_page_says_it_closed_before_its_deadline(
    gov, client, django_capture_on_commit_callbacks
):
    early(gov, "all_voted")
    p = in_voting(gov.group, gov.contributor, gov.chair)
    page = client.get(p.get_absolute_url()).content.decode()
    assert "As soon as everyone on the roll has voted" in page
    with django_capture_on_commit_callbacks(execute=True):
        for v in voters(gov):
            client.force_login(v)
            client.post(p.get_absolute_url() + "vote/", {"choice": "yes"})
    p.refresh_from_db()
    assert p.status == Proposal.Status.ACCEPTED
    page = client.get(p.get_absolute_url()).content.decode()
    assert "before its deadline" in page
