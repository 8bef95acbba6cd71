"""Discussion: replies (one level), editing one's own comment with its history, reactions.
Every forbidden action is refused, through the service and through the page."""

import threading

import pytest
from django.db import connection

from config import events
from governance import selectors, services
from governance.models import Comment, CommentReaction, CommentRevision

from .factories import in_discussion


@pytest.fixture
def thread(gov):
    p = in_discussion(gov.group, gov.contributor, title="Talk about it")
    top = services.comment_add(proposal=p, author=gov.observer, body="First thought")
    return p, top


def url(p, tail=""):
    return p.get_absolute_url() + tail


# --- replies ------------------------------------------------------------------------------------


def test_a_member_replies_and_the_reply_is_shown_under_its_comment(gov, thread, client_for):
    p, top = thread
    response = client_for(gov.chair).post(
        url(p, "comments/"), {"body": "I agree", "parent": top.pk}
    )
    reply = Comment.objects.get(parent=top)
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{reply.pk}")
    html = client_for(gov.outsider).get(url(p)).content.decode()
    assert 'class="comment-replies"' in html and "I agree" in html
    assert "Comments (2)" in html
    [shown] = selectors.discussion_for(p, None)
    assert [c.body for c in shown.thread] == ["I agree"]


def test_replies_go_one_level_deep(gov, thread):
    p, top = thread
    reply = services.comment_add(proposal=p, author=gov.chair, body="Reply", parent=top)
    with pytest.raises(services.Invalid) as exc:
        services.comment_add(proposal=p, author=gov.observer, body="Deeper", parent=reply)
    assert "parent" in exc.value.errors


def test_a_reply_to_another_proposals_comment_or_a_hidden_one_is_refused(gov, thread):
    p, top = thread
    other = in_discussion(gov.group, gov.contributor, title="Other")
    with pytest.raises(services.Invalid):
        services.comment_add(proposal=other, author=gov.chair, body="Wrong place", parent=top)
    services.comment_hide(comment=top, actor=gov.chair, reason="spam")
    with pytest.raises(services.Conflict):
        services.comment_add(proposal=p, author=gov.chair, body="To hidden", parent=top)


def test_an_outsider_cannot_reply(gov, thread, client_for):
    p, top = thread
    with pytest.raises(services.NotAllowed):
        services.comment_add(proposal=p, author=gov.outsider, body="Hi", parent=top)
    client_for(gov.outsider).post(url(p, "comments/"), {"body": "Hi", "parent": top.pk})
    assert not Comment.objects.filter(parent=top).exists()


def test_a_reply_to_a_comment_that_does_not_exist_is_404(gov, thread, client_for):
    p, _top = thread
    client = client_for(gov.chair)
    assert client.post(url(p, "comments/"), {"body": "x", "parent": 99999}).status_code == 404
    assert client.post(url(p, "comments/"), {"body": "x", "parent": "abc"}).status_code == 404


def test_a_reply_is_announced_with_its_parent(gov, thread):
    p, top = thread
    with events.capture() as seen:
        services.comment_add(proposal=p, author=gov.chair, body="Reply", parent=top)
    [event] = [e for e in seen if e.name == "comment.created"]
    assert event.payload["parent"] == top.pk


# --- editing ------------------------------------------------------------------------------------


def test_the_author_edits_and_the_history_is_kept_and_shown(gov, thread, client_for):
    p, top = thread
    client = client_for(gov.observer)
    client.post(url(p, f"comments/{top.pk}/edit/"), {"body": "Second thought", "stance": "for"})
    client.post(url(p, f"comments/{top.pk}/edit/"), {"body": "Third thought", "stance": "for"})
    top.refresh_from_db()
    assert (top.body, top.stance) == ("Third thought", "for") and top.edited_at
    assert list(top.revisions.values_list("number", "body")) == [
        (1, "First thought"),
        (2, "Second thought"),
    ]
    html = client_for(gov.outsider).get(url(p)).content.decode()
    assert "History: 2 earlier versions" in html
    assert "First thought" in html and "Second thought" in html and "edited" in html


def test_an_edit_is_announced(gov, thread):
    _p, top = thread
    with events.capture() as seen:
        services.comment_edit(comment=top, actor=gov.observer, body="Changed")
    [event] = [e for e in seen if e.name == "comment.edited"]
    assert event.payload["comment"] == top.pk and event.payload["revisions"] == 1
    assert event.payload["excerpt"] == "Changed" and events.event_type("comment.edited").public


def test_the_same_text_again_is_no_edit(gov, thread):
    _p, top = thread
    services.comment_edit(comment=top, actor=gov.observer, body="First thought")
    assert not CommentRevision.objects.exists()


@pytest.mark.parametrize("who", ["chair", "contributor", "outsider"])
def test_nobody_else_may_edit_a_comment(gov, thread, client_for, who):
    p, top = thread
    actor = getattr(gov, who)
    with pytest.raises(services.NotAllowed):
        services.comment_edit(comment=top, actor=actor, body="Not yours")
    client_for(actor).post(url(p, f"comments/{top.pk}/edit/"), {"body": "Not yours"})
    top.refresh_from_db()
    assert top.body == "First thought" and not top.revisions.exists()


def test_a_visitor_cannot_edit_or_react(gov, thread, client):
    p, top = thread
    response = client.post(url(p, f"comments/{top.pk}/edit/"), {"body": "Anonymous"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url(p, f"comments/{top.pk}/react/"), {"emoji": "heart"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    top.refresh_from_db()
    assert top.body == "First thought" and not CommentReaction.objects.exists()


def test_a_hidden_comment_cannot_be_edited_nor_an_empty_text_saved(gov, thread, client_for):
    p, top = thread
    with pytest.raises(services.Invalid):
        services.comment_edit(comment=top, actor=gov.observer, body="   ")
    services.comment_hide(comment=top, actor=gov.chair, reason="off topic")
    with pytest.raises(services.Conflict):
        services.comment_edit(comment=top, actor=gov.observer, body="Sneaky")
    client_for(gov.observer).post(url(p, f"comments/{top.pk}/edit/"), {"body": "Sneaky"})
    top.refresh_from_db()
    assert top.body == "First thought"


def test_editing_a_comment_of_another_proposal_is_404(gov, thread, client_for):
    _p, top = thread
    other = in_discussion(gov.group, gov.contributor, title="Other")
    response = client_for(gov.observer).post(url(other, f"comments/{top.pk}/edit/"), {"body": "x"})
    assert response.status_code == 404


# --- reactions ----------------------------------------------------------------------------------


def test_members_react_once_per_kind_and_take_it_back(gov, thread, client_for):
    p, top = thread
    client = client_for(gov.chair)
    for _ in range(2):  # a double click makes one reaction
        client.post(url(p, f"comments/{top.pk}/react/"), {"emoji": "heart", "action": "add"})
    client.post(url(p, f"comments/{top.pk}/react/"), {"emoji": "eyes"})
    client_for(gov.contributor).post(url(p, f"comments/{top.pk}/react/"), {"emoji": "heart"})
    assert CommentReaction.objects.filter(comment=top, emoji="heart").count() == 2
    [shown] = selectors.discussion_for(p, gov.chair)
    rows = {r["value"]: r for r in shown.reaction_rows}
    assert rows["heart"]["count"] == 2 and rows["heart"]["mine"] and rows["eyes"]["count"] == 1
    html = client.get(url(p)).content.decode()
    assert 'aria-pressed="true"' in html
    client.post(url(p, f"comments/{top.pk}/react/"), {"emoji": "heart", "action": "remove"})
    assert CommentReaction.objects.filter(comment=top, emoji="heart").count() == 1


def test_reacting_with_htmx_swaps_the_reactions_only(gov, thread, client_for):
    p, top = thread
    r = client_for(gov.chair).post(
        url(p, f"comments/{top.pk}/react/"), {"emoji": "hooray"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html and f'id="reactions-{top.pk}"' in html
    assert 'aria-pressed="true"' in html


def test_outsiders_unknown_reactions_and_hidden_comments_are_refused(gov, thread, client_for):
    p, top = thread
    with pytest.raises(services.NotAllowed):
        services.reaction_add(comment=top, actor=gov.outsider, emoji="heart")
    client_for(gov.outsider).post(url(p, f"comments/{top.pk}/react/"), {"emoji": "heart"})
    with pytest.raises(services.Invalid):
        services.reaction_add(comment=top, actor=gov.chair, emoji="skull")
    client_for(gov.chair).post(url(p, f"comments/{top.pk}/react/"), {"emoji": "skull"})
    services.comment_hide(comment=top, actor=gov.chair, reason="spam")
    with pytest.raises(services.Conflict):
        services.reaction_add(comment=top, actor=gov.chair, emoji="heart")
    assert not CommentReaction.objects.exists()


def test_reactions_publish_nothing(gov, thread):
    _p, top = thread
    with events.capture() as seen:
        services.reaction_add(comment=top, actor=gov.chair, emoji="heart")
        services.reaction_remove(comment=top, actor=gov.chair, emoji="heart")
    assert seen == []


def test_taking_back_a_reaction_never_touches_someone_elses(gov, thread):
    _p, top = thread
    services.reaction_add(comment=top, actor=gov.chair, emoji="heart")
    assert services.reaction_remove(comment=top, actor=gov.contributor, emoji="heart") is False
    assert CommentReaction.objects.count() == 1


def test_the_proposal_page_query_count_does_not_grow_with_the_discussion(
    gov, thread, client, django_assert_num_queries
):
    p, top = thread
    for i in range(4):
        reply = services.comment_add(proposal=p, author=gov.chair, body=f"r{i}", parent=top)
        services.comment_edit(comment=reply, actor=gov.chair, body=f"r{i} edited")
        services.reaction_add(comment=reply, actor=gov.contributor, emoji="eyes")
    # proposal, authors, comments, earlier texts, reactions (no roll before the vote)
    with django_assert_num_queries(5):
        assert client.get(url(p)).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="A real race needs PostgreSQL.")
def test_two_simultaneous_identical_reactions_make_one_row(gov, thread):
    _p, top = thread
    barrier = threading.Barrier(4)
    errors = []

    def react():
        try:
            barrier.wait(timeout=30)
            services.reaction_add(comment=top, actor=gov.chair, emoji="thumbs_up")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=react) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert CommentReaction.objects.filter(comment=top).count() == 1
