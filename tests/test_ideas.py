"""Ideas: votes as a pair (vote / unvote), statuses set by the team, notices to voters, points for a done idea, the dashboard's figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from community import permissions
from community.members.models import Tier
from community.notifications import tasks as notification_tasks
from community.notifications.messages import render
from community.notifications.models import Kind, Notification
from forums import ideas, services
from forums.models import Category, Idea, IdeaStatus, IdeaVote, Thread
from forums.synchronize import synchronize_ideas
from loyalty import awards
from loyalty.models import PointsEntry, Reason
from moderation import services as moderation
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas_category(db):
    return CategoryFactory(name="Ideas", slug="ideas", is_ideas=True)


@pytest.fixture
def idea(ideas_category):
    return make_thread(author=UserFactory(username="dreamer", tier=Tier.MEMBER), category=ideas_category, title="Dark mode please")


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _votes(thread) -> tuple[int, int]:
    row = Idea.objects.filter(pk=thread.pk).values_list("vote_count", flat=True).first() or 0
    return row, IdeaVote.objects.filter(idea_id=thread.pk).count()


# -- votes ------------------------------------------------------------------------------------------

def test_vote_and_unvote_are_a_pair_and_each_is_idempotent(idea, member):
    assert services.idea_vote(thread=idea, member=member) is True
    assert services.idea_vote(thread=idea, member=member) is False  # voting twice changes nothing
    assert _votes(idea) == (1, 1)
    assert services.idea_unvote(thread=idea, member=member) is True
    assert services.idea_unvote(thread=idea, member=member) is False
    assert _votes(idea) == (0, 0)


def test_a_thread_outside_an_ideas_category_takes_no_votes(category, member):
    thread = make_thread(category=category)
    with pytest.raises(ValidationError):
        services.idea_vote(thread=thread, member=member)
    assert not Idea.objects.exists()


def test_voting_by_htmx_returns_the_button_with_the_new_count(idea, member):
    response = _client(member).post(reverse("forums:idea_vote", args=[idea.pk]), {"action": "vote"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert _votes(idea) == (1, 1)
    again = _client(member).post(reverse("forums:idea_vote", args=[idea.pk]), {"action": "vote"}, HTTP_HX_REQUEST="true")
    assert "already" in again.content.decode() and _votes(idea) == (1, 1)


def test_voting_without_javascript_redirects_back(idea, member):
    response = _client(member).post(reverse("forums:idea_vote", args=[idea.pk]), {"action": "vote"})
    assert response.status_code == 302 and _votes(idea) == (1, 1)


@pytest.mark.parametrize("action", ["", "both", "x" * 500])
def test_an_unknown_vote_action_changes_nothing(idea, member, action):
    response = _client(member).post(reverse("forums:idea_vote", args=[idea.pk]), {"action": action})
    assert response.status_code == 302 and _votes(idea) == (0, 0)


def test_voting_on_a_plain_thread_is_refused_with_a_message(category, member):
    thread = make_thread(category=category)
    response = _client(member).post(reverse("forums:idea_vote", args=[thread.pk]), {"action": "vote"}, follow=True)
    assert response.status_code == 200
    assert "not an idea" in response.content.decode()
    assert not IdeaVote.objects.exists()


def test_a_silenced_member_cannot_vote(idea):
    silenced = UserFactory(tier=Tier.MEMBER, silenced_until=timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        permissions.check_can_vote_idea(silenced, Thread.objects.select_related("category").get(pk=idea.pk))
    _client(silenced).post(reverse("forums:idea_vote", args=[idea.pk]), {"action": "vote"})
    assert _votes(idea) == (0, 0)


def test_the_vote_count_is_rebuilt_from_the_votes(idea, member, other_member):
    services.idea_vote(thread=idea, member=member)
    services.idea_vote(thread=idea, member=other_member)
    Idea.objects.filter(pk=idea.pk).update(vote_count=7)
    assert synchronize_ideas() == 1
    assert _votes(idea) == (2, 2)
    assert synchronize_ideas() == 0


# -- statuses ---------------------------------------------------------------------------------------

def test_a_manager_sets_a_status_with_a_note_and_the_first_staff_answer_is_kept(idea, manager):
    updated = services.idea_set_status(thread=idea, member=manager, status="planned", note="  For the spring release.  ")
    assert (updated.status, updated.status_note, updated.status_changed_by_id) == ("planned", "For the spring release.", manager.pk)
    first = updated.staff_answered_at
    assert first is not None
    again = services.idea_set_status(thread=idea, member=manager, status="in_progress")
    assert again.staff_answered_at == first


@pytest.mark.parametrize("status, note", [("shipped", ""), ("", ""), ("planned", "x" * 301)])
def test_an_unknown_status_or_an_overlong_note_is_refused_and_nothing_changes(idea, manager, status, note):
    with pytest.raises(ValidationError):
        services.idea_set_status(thread=idea, member=manager, status=status, note=note)
    assert not Idea.objects.exists()
    response = _client(manager).post(reverse("forums:idea_status", args=[idea.pk]), {"status": status, "note": note}, follow=True)
    assert response.status_code == 200 and not Idea.objects.exists()


def test_members_and_moderators_of_other_categories_cannot_set_a_status(idea, member, manager):
    other_moderator = UserFactory(tier=Tier.REGULAR)
    moderation.grant_role(member=other_moderator, category=CategoryFactory(), granted_by=manager)
    own_moderator = UserFactory(tier=Tier.REGULAR)
    moderation.grant_role(member=own_moderator, category=idea.category, granted_by=manager)
    for person in (member, type(other_moderator).objects.get(pk=other_moderator.pk)):
        _client(person).post(reverse("forums:idea_status", args=[idea.pk]), {"status": "declined"})
    assert not Idea.objects.exists()
    _client(type(own_moderator).objects.get(pk=own_moderator.pk)).post(
        reverse("forums:idea_status", args=[idea.pk]), {"status": "under_review"})
    assert Idea.objects.get(pk=idea.pk).status == "under_review"


def test_voters_and_the_author_hear_of_a_new_status_in_their_own_language(idea, member, manager, django_capture_on_commit_callbacks):
    services.idea_vote(thread=idea, member=member)
    type(member).objects.filter(pk=member.pk).update(language="ru")
    with django_capture_on_commit_callbacks(execute=False):
        services.idea_set_status(thread=idea, member=manager, status="planned", note="Весной")
    assert notification_tasks.notify_idea_status(idea.pk, manager.pk) == 2
    assert notification_tasks.notify_idea_status(idea.pk, manager.pk) == 0  # a second run adds nothing
    notices = Notification.objects.filter(kind=Kind.IDEA_STATUS)
    assert {n.recipient_id for n in notices} == {member.pk, idea.author_id}
    with translation.override("en"):
        assert render(notices.get(recipient=member).message) == "The idea “Dark mode please” is now Planned: Весной"
    with translation.override("ru"):
        text = render(notices.get(recipient=member).message)
    assert "Dark mode please" in text and "Planned" not in text


def test_a_staff_reply_is_the_ideas_staff_answer_and_a_members_is_not(idea, member, manager):
    reply = make_reply(thread=idea, author=member)
    assert notification_tasks.note_idea_staff_answer(reply.pk) is False
    staff_reply = make_reply(thread=idea, author=manager)
    assert notification_tasks.note_idea_staff_answer(staff_reply.pk) is True
    assert Idea.objects.get(pk=idea.pk).staff_answered_at == staff_reply.created_at
    later = make_reply(thread=idea, author=manager)
    notification_tasks.note_idea_staff_answer(later.pk)
    assert Idea.objects.get(pk=idea.pk).staff_answered_at == staff_reply.created_at


# -- announcing -------------------------------------------------------------------------------------

def test_a_done_idea_is_announced_once_in_the_read_only_category(idea, manager, read_only_category):
    with pytest.raises(ValidationError):
        services.idea_announce(thread=idea, member=manager)  # not done yet
    services.idea_set_status(thread=idea, member=manager, status="done", note="Shipped today.")
    announcement = services.idea_announce(thread=idea, member=manager)
    assert announcement.category == read_only_category
    assert idea.get_absolute_url() in announcement.posts.get().body
    with pytest.raises(ValidationError):
        services.idea_announce(thread=idea, member=manager)
    assert Thread.objects.filter(category=read_only_category).count() == 1
    panel = ideas.idea_panel(idea, manager)
    assert panel.announcement_url == announcement.get_absolute_url()


def test_only_managers_announce(idea, member, manager, read_only_category):
    services.idea_set_status(thread=idea, member=manager, status="done")
    _client(member).post(reverse("forums:idea_announce", args=[idea.pk]))
    assert not Thread.objects.filter(category=read_only_category).exists()
    _client(manager).post(reverse("forums:idea_announce", args=[idea.pk]))
    assert Thread.objects.filter(category=read_only_category).count() == 1


# -- the list and the page --------------------------------------------------------------------------

def test_the_ideas_category_lists_by_votes_by_status_and_newest(ideas_category, member, other_member, manager):
    quiet = make_thread(category=ideas_category, title="Quiet idea")
    loved = make_thread(category=ideas_category, title="Loved idea")
    services.idea_vote(thread=loved, member=member)
    services.idea_vote(thread=loved, member=other_member)
    services.idea_vote(thread=quiet, member=member)
    services.idea_set_status(thread=quiet, member=manager, status="planned")
    newest = make_thread(category=ideas_category, title="Newest idea")
    titles = lambda **kw: [t.title for t in ideas.idea_list(member=member, category=ideas_category, **kw).items]  # noqa: E731
    assert titles() == ["Loved idea", "Quiet idea", "Newest idea"]
    assert titles(order="newest")[0] == newest.title
    assert titles(status="planned") == ["Quiet idea"]
    assert titles(status="new") == ["Loved idea", "Newest idea"]
    page = _client(member).get(f"/c/{ideas_category.slug}/?idea_status=planned&order=newest")
    assert page.status_code == 200 and "Quiet idea" in page.content.decode() and "Loved idea" not in page.content.decode()


def test_the_idea_page_shows_status_note_and_the_members_vote(idea, member, manager):
    services.idea_vote(thread=idea, member=member)
    services.idea_set_status(thread=idea, member=manager, status="planned", note="Next month.")
    body = _client(member).get(idea.get_absolute_url()).content.decode()
    assert "Planned" in body and "Next month." in body and 'aria-pressed="true"' in body
    assert "Set the status" not in body
    assert "Set the status" in _client(manager).get(idea.get_absolute_url()).content.decode()


# -- loyalty ----------------------------------------------------------------------------------------

def _idea_points(thread) -> int:
    return sum(PointsEntry.objects.filter(member_id=thread.author_id, source_type__startswith="idea",
                                          source_id__startswith=str(thread.pk)).values_list("amount", flat=True))


def test_a_done_idea_earns_its_author_once_and_loses_it_when_moved_back(idea, manager):
    services.idea_set_status(thread=idea, member=manager, status="done")
    awards.settle_idea(idea.pk)
    awards.settle_idea(idea.pk)  # never twice
    assert _idea_points(idea) == 25
    assert PointsEntry.objects.filter(reason=Reason.IDEA_DONE).count() == 1
    services.idea_set_status(thread=idea, member=manager, status="in_progress")
    awards.settle_idea(idea.pk)
    assert _idea_points(idea) == 0
    services.idea_set_status(thread=idea, member=manager, status="done")
    awards.settle_idea(idea.pk)
    assert _idea_points(idea) == 25
    assert PointsEntry.objects.filter(reason=Reason.IDEA_DONE).count() == 1


def test_a_done_idea_deleted_takes_its_points_back(idea, manager):
    services.idea_set_status(thread=idea, member=manager, status="done")
    awards.settle_idea(idea.pk)
    services.post_delete(post=idea.posts.get(number=1), member=manager)
    awards.settle_idea(idea.pk, only_if_done=True)
    assert _idea_points(idea) == 0


# -- the dashboard's figures ------------------------------------------------------------------------

def test_status_counts_and_staff_answer_figures(ideas_category, manager, member):
    now = timezone.now()
    answered = make_thread(category=ideas_category, title="Answered idea")
    make_thread(category=ideas_category, title="Waiting idea")
    gone = make_thread(category=ideas_category, title="Deleted idea")
    make_thread(category=CategoryFactory(), title="Not an idea")
    Thread.objects.filter(pk=answered.pk).update(created_at=now - timedelta(hours=10))
    services.idea_set_status(thread=answered, member=manager, status="planned")
    services.idea_set_status(thread=gone, member=manager, status="declined")
    services.post_delete(post=gone.posts.get(number=1), member=manager)
    counts = ideas.idea_status_counts()
    assert counts["planned"] == 1 and counts["new"] == 1 and counts["declined"] == 0
    assert set(counts) == set(IdeaStatus.values)
    assert ideas.ideas_created_between(now - timedelta(days=1), now + timedelta(hours=1)) == 2
    figures = ideas.staff_answer_figures(now - timedelta(days=1), now + timedelta(hours=1))
    assert figures["ideas"] == 2 and figures["answered"] == 1 and figures["share_answered"] == 0.5
    assert figures["median_hours_to_staff_answer"] == pytest.approx(10, abs=0.1)
    assert ideas.staff_answer_figures(now - timedelta(days=1), now, category_ids=[]) == {
        "ideas": 0, "answered": 0, "share_answered": None, "median_hours_to_staff_answer": None}
    assert ideas.idea_status_counts(category_ids=[Category.objects.exclude(is_ideas=True).first().pk])["new"] == 0


# -- demo data --------------------------------------------------------------------------------------

def test_the_demo_ideas_cover_every_status_with_votes_and_one_announcement(manager, read_only_category):
    import random

    from community.demo_ideas import IDEAS, seed_ideas

    for index in range(12):
        UserFactory(username=f"voter{index}", tier=Tier.MEMBER)
    made = seed_ideas(now=timezone.now(), rng=random.Random(7))
    assert made["ideas"] == len(IDEAS) and made["announced"] == 1 and made["votes"] > 0
    counts = ideas.idea_status_counts()
    assert all(counts[status] > 0 for status in IdeaStatus.values)
    assert synchronize_ideas() == 0
    assert Thread.objects.filter(category=read_only_category).count() == 1
    figures = ideas.staff_answer_figures(timezone.now() - timedelta(days=200), timezone.now())
    assert figures["answered"] > 0 and figures["median_hours_to_staff_answer"] > 0
    assert PointsEntry.objects.filter(reason=Reason.IDEA_DONE).exists()


def test_a_done_idea_moved_out_of_the_ideas_category_is_drift_the_rebuild_corrects(idea, manager, category, ideas_category):
    import io

    from django.core.management import call_command

    from loyalty.recompute import source_drift

    def idea_drift():
        return [drift.due for drift in source_drift([idea.author_id]) if drift.claim.source_type == "idea"]

    services.idea_set_status(thread=idea, member=manager, status="done")
    awards.settle_idea(idea.pk)
    assert idea_drift() == []
    services.thread_move(thread=idea, category=category)  # a move sends no status change: the rebuild finds it
    assert idea_drift() == [0]
    call_command("loyalty_rebuild", stdout=io.StringIO())
    assert _idea_points(idea) == 0 and idea_drift() == []
    services.thread_move(thread=idea, category=ideas_category)
    assert idea_drift() == [25]
    call_command("loyalty_rebuild", stdout=io.StringIO())
    assert _idea_points(idea) == 25 and idea_drift() == []
