"""Delete and restore, both directions: counters, the ledger and the moderation log after each; who may restore."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from community import permissions
from forums import services as forum_services
from forums import signals
from forums.models import Category, Post, Tag, Thread
from loyalty import tasks
from moderation import services as moderation
from moderation.models import ModerationAction
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_reply, make_thread
from tests.invariants import assert_counters_exact, assert_ledger_exact, balance

pytestmark = pytest.mark.django_db


def delete(post, member) -> None:
    forum_services.post_delete(post=post, member=member)
    tasks.post_hidden(post.pk)  # the job the delete's signal enqueues


def restore(post, moderator) -> None:
    post = Post.objects.select_related("thread").get(pk=post.pk)  # as the view reads it: deleted
    moderation.moderator_restore_post(post=post, moderator=moderator)
    tasks.post_unhidden(post.pk)  # the job the restore's signal enqueues


@pytest.fixture
def discussion(newcomer, expert, member, category, django_capture_on_commit_callbacks):
    """A newcomer's tagged thread, the expert's first reply (liked), and a later reply by a member; awards settled."""
    with django_capture_on_commit_callbacks(execute=True):
        thread = make_thread(author=newcomer, category=category, tags=[TagFactory(name="setup")])
        first = make_reply(thread=thread, author=expert)
        later = make_reply(thread=thread, author=member)
    tasks.drain_award_log()
    forum_services.like_add(post=first, member=member)
    tasks.like_received(first.pk, member.pk)
    return thread, first, later


def test_restoring_a_reply_gives_back_its_counters_and_its_points(discussion, expert, member, manager):
    thread, first, _later = discussion
    before = (balance(expert), balance(member))
    assert before == (1 + 10 + 1, 1)
    delete(first, expert)
    assert (balance(expert), balance(member)) == (0, 1 + 10)  # the first-reply bonus moved to the later reply
    assert_counters_exact()
    restore(first, manager)
    first.refresh_from_db()
    assert not first.is_deleted and first.deleted_at is None and first.deleted_by is None
    assert (balance(expert), balance(member)) == before
    thread.refresh_from_db()
    assert (thread.reply_count, thread.like_count, thread.first_responder_id) == (2, 1, expert.pk)
    assert_counters_exact()
    assert_ledger_exact()


def test_restoring_an_opening_post_brings_the_thread_back_with_its_replies_points(discussion, newcomer, expert, member, manager, category):
    thread, _first, _later = discussion
    balances = (balance(newcomer), balance(expert), balance(member))
    delete(thread.posts.get(number=1), newcomer)
    assert Thread.objects.get(pk=thread.pk).is_deleted and Category.objects.get(pk=category.pk).thread_count == 0
    assert Tag.objects.get(name="setup").thread_count == 0
    assert (balance(newcomer), balance(expert), balance(member)) == (0, 0, 0)
    assert_counters_exact()
    restore(thread.posts.get(number=1), manager)
    assert not Thread.objects.get(pk=thread.pk).is_deleted
    cat = Category.objects.get(pk=category.pk)
    assert (cat.thread_count, cat.post_count, cat.last_thread_id) == (1, 3, thread.pk)
    assert Tag.objects.get(name="setup").thread_count == 1
    assert (balance(newcomer), balance(expert), balance(member)) == balances
    assert_counters_exact()
    assert_ledger_exact()


def test_restoring_twice_changes_nothing(discussion, expert, manager):
    _thread, first, _later = discussion
    delete(first, expert)
    restore(first, manager)
    forum_services.post_restore(post=first, member=manager)  # not deleted any more: nothing to do
    tasks.post_unhidden(first.pk)
    assert balance(expert) == 1 + 10 + 1
    assert_counters_exact()
    assert_ledger_exact()


def test_restoring_is_in_the_moderation_log_and_sends_the_shown_again_signal(discussion, expert, manager,
                                                                           django_capture_on_commit_callbacks):
    _thread, first, _later = discussion
    delete(first, expert)
    heard = []

    def listener(sender, **ids):
        heard.append(ids["post_id"])

    signals.post_unhidden.connect(listener, dispatch_uid="test.restore")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            moderation.moderator_restore_post(post=Post.objects.get(pk=first.pk), moderator=manager, reason="deleted by mistake")
    finally:
        signals.post_unhidden.disconnect(dispatch_uid="test.restore")
    assert heard == [first.pk]
    entry = ModerationAction.objects.get(action="post_restored")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (manager.pk, "post", first.pk, "deleted by mistake")


def test_who_may_restore_is_decided_by_the_roles_in_the_database(discussion, expert, member, manager, category):
    _thread, first, _later = discussion
    forum_services.post_delete(post=first, member=expert)
    first = Post.objects.select_related("thread").get(pk=first.pk)
    here, elsewhere = UserFactory(username="here_mod"), UserFactory(username="there_mod")
    moderation.grant_role(member=here, category=category, granted_by=manager)
    moderation.grant_role(member=elsewhere, category=CategoryFactory(), granted_by=manager)
    fresh = type(here).objects.get
    assert permissions.can_restore_post(fresh(pk=here.pk), first)
    assert permissions.can_restore_post(manager, first)
    assert not permissions.can_restore_post(fresh(pk=elsewhere.pk), first)
    assert not permissions.can_restore_post(expert, first)  # its author deleted it; only moderators bring it back
    assert not permissions.can_restore_post(member, first)
    moderation.revoke_role(role=here.moderator_roles.get(), revoked_by=manager)
    assert not permissions.can_restore_post(fresh(pk=here.pk), first)  # the role gone from the database: no longer
    with pytest.raises(PermissionDenied):
        moderation.moderator_restore_post(post=first, moderator=fresh(pk=elsewhere.pk))
    assert Post.objects.get(pk=first.pk).is_deleted


def test_a_moderator_sees_the_restore_button_on_a_deleted_post_and_a_member_does_not(discussion, expert, member, manager):
    thread, first, _later = discussion
    forum_services.post_delete(post=first, member=expert)
    restore_url = f"/moderation/post/{first.pk}/restore/"
    for person, shown in ((manager, True), (member, False)):
        client = Client()
        client.force_login(person)
        page = client.get(thread.get_absolute_url()).content.decode()
        assert (restore_url in page) == shown
    client = Client()
    client.force_login(manager)
    response = client.post(restore_url)
    assert response.status_code == 302 and not Post.objects.get(pk=first.pk).is_deleted


def test_a_category_moderator_finds_a_deleted_thread_from_the_log_and_restores_it(discussion, newcomer, manager, category):
    """A deleted thread showed to managers only: its category's moderators, who may restore it, could not open it,
    so the log's link answered 404 and the restore button was reachable only by typing its URL."""
    thread, _first, _later = discussion
    opening = thread.posts.get(number=1)
    moderation.moderator_delete_post(post=Post.objects.select_related("thread").get(pk=opening.pk), moderator=manager,
                                     reason="spam")
    here, elsewhere = UserFactory(username="here_mod"), UserFactory(username="there_mod")
    moderation.grant_role(member=here, category=category, granted_by=manager)
    moderation.grant_role(member=elsewhere, category=CategoryFactory(), granted_by=manager)
    restore_url = f"/moderation/post/{opening.pk}/restore/"

    client = Client()
    client.force_login(here)
    log = client.get("/moderation/log/").content.decode()
    assert f'href="/t/{thread.pk}/"' in log or f'href="/p/{opening.pk}/"' in log
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200 and restore_url in page.content.decode()
    for person in (elsewhere, newcomer):  # nobody else sees the deleted thread
        other = Client()
        other.force_login(person)
        assert other.get(thread.get_absolute_url()).status_code == 404
    assert Client().get(thread.get_absolute_url()).status_code == 404

    client.post(restore_url)
    assert not Thread.objects.get(pk=thread.pk).is_deleted
    assert_counters_exact()


def test_a_deleted_thread_says_so_at_the_top_to_the_moderator_who_opens_it(discussion, manager, category):
    # Found in the walk: opened by a moderator, a deleted thread looked like any other until its opening post.
    thread, _first, _later = discussion
    forum_services.post_delete(post=thread.posts.get(number=1), member=manager)
    client = Client()
    client.force_login(manager)
    assert "This thread is deleted: only moderators see it." in client.get(thread.get_absolute_url()).content.decode()
    manager.language = "ru"
    manager.save(update_fields=["language"])
    assert "Эта тема удалена: её видят только модераторы." in client.get(thread.get_absolute_url()).content.decode()
    moderation.moderator_restore_post(post=Post.objects.get(thread=thread, number=1), moderator=manager)
    assert "Эта тема удалена" not in client.get(thread.get_absolute_url()).content.decode()


def test_in_a_deleted_thread_a_moderator_may_restore_but_not_like_flag_or_thank(discussion, manager, category):
    """Found in the walk: opened by a moderator, a deleted thread offered Like, Flag and Send kudos on its replies,
    and a like there was written (a counter and points moving in a thread nobody else sees)."""
    thread, _first, later = discussion
    forum_services.post_delete(post=thread.posts.get(number=1), member=manager)
    client = Client()
    client.force_login(manager)
    page = client.get(thread.get_absolute_url()).content.decode()
    for action in (f"/p/{later.pk}/like/", f"/p/{later.pk}/flag/", "/kudos/"):
        assert action not in page
    assert "/moderation/post/" in page  # the way back is there
    likes = later.reactions.count()
    client.post(f"/p/{later.pk}/like/")
    client.post(f"/p/{later.pk}/flag/", {"reason": "spam"})
    assert later.reactions.count() == likes and not later.flags.exists()
