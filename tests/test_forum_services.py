"""Forum services: each write keeps the denormalised counters right and records what others need."""

import pytest
from django.core.exceptions import ValidationError

from forums import services, signals
from forums.models import Category, Mention, Post, PostRevision, Reaction, ReadState, Subscription, Tag, Thread
from forums.synchronize import synchronize_forums
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


def test_thread_create_makes_the_opening_post_and_counts_it(member, category):
    tag = TagFactory(name="python")
    thread = make_thread(author=member, category=category, title="  How   do I   start? ", body="**Hi**", tags=[tag])
    post = thread.posts.get()
    category.refresh_from_db()
    tag.refresh_from_db()
    assert thread.title == "How do I start?"
    assert thread.slug == "how-do-i-start"
    assert post.number == 1 and post.body_html == "<p><strong>Hi</strong></p>\n"
    assert (category.thread_count, category.post_count, category.last_thread_id) == (1, 1, thread.pk)
    assert tag.thread_count == 1
    assert Subscription.objects.filter(thread=thread, member=member).exists()
    assert ReadState.objects.get(thread=thread, member=member).last_read_number == 1


def test_thread_by_newcomer_is_a_newcomer_thread(newcomer, member, category):
    assert make_thread(author=newcomer, category=category).is_newcomer_thread is True
    assert make_thread(author=member, category=category).is_newcomer_thread is False


@pytest.mark.parametrize("title", ["", "ab", "x" * 201, "   a  "])
def test_thread_title_must_be_3_to_200_characters(member, category, title):
    with pytest.raises(ValidationError):
        make_thread(author=member, category=category, title=title)
    assert not Thread.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 50_001])
def test_post_body_must_be_1_to_50000_characters(member, category, body):
    with pytest.raises(ValidationError):
        make_thread(author=member, category=category, body=body)
    assert not Post.objects.exists()


def test_at_most_five_tags(member, category):
    tags = [TagFactory(name=f"t{i}") for i in range(6)]
    with pytest.raises(ValidationError):
        make_thread(author=member, category=category, tags=tags)


def test_reply_numbers_posts_and_moves_counters(member, other_member, category):
    thread = make_thread(author=member, category=category)
    first = make_reply(thread=thread, author=other_member)
    second = make_reply(thread=thread, author=member)
    thread.refresh_from_db()
    category.refresh_from_db()
    assert (first.number, second.number) == (2, 3)
    assert thread.reply_count == 2 and thread.last_post_number == 3
    assert thread.last_poster_id == member.pk and thread.last_posted_at == second.created_at
    assert category.post_count == 3


def test_first_reply_by_someone_else_records_the_first_response(member, other_member, category):
    thread = make_thread(author=member, category=category)
    make_reply(thread=thread, author=member)
    thread.refresh_from_db()
    assert thread.first_response_at is None
    reply = make_reply(thread=thread, author=other_member)
    make_reply(thread=thread, author=UserFactory())
    thread.refresh_from_db()
    assert thread.first_response_at == reply.created_at and thread.first_responder_id == other_member.pk


def test_replying_watches_the_thread_and_marks_it_read_for_the_author(member, other_member, category):
    thread = make_thread(author=member, category=category)
    make_reply(thread=thread, author=other_member)
    assert Subscription.objects.filter(thread=thread, member=other_member).exists()
    assert ReadState.objects.get(thread=thread, member=other_member).last_read_number == 2


def test_mentions_of_existing_members_are_recorded_once(member, other_member, category):
    thread = make_thread(author=member, category=category, body="Ping @OLGA and @olga and @nobody and @mo")
    post = thread.posts.get()
    assert list(Mention.objects.filter(post=post).values_list("member__username", flat=True)) == ["olga"]
    assert '/u/OLGA/' in post.body_html and "/u/nobody/" not in post.body_html


def test_edit_keeps_the_previous_text_as_a_revision(member, category):
    thread = make_thread(author=member, category=category, title="Old title", body="old body")
    post = thread.posts.get()
    services.post_edit(post=post, editor=member, body="new body", title="New title")
    post.refresh_from_db()
    thread.refresh_from_db()
    revision = PostRevision.objects.get(post=post)
    assert (revision.previous_body, revision.previous_title) == ("old body", "Old title")
    assert post.body == "new body" and post.edit_count == 1 and post.edited_at is not None
    assert thread.title == "New title" and thread.slug == "new-title"


def test_edit_without_changes_adds_no_revision(member, category):
    post = make_thread(author=member, category=category, body="same").posts.get()
    services.post_edit(post=post, editor=member, body="same", title=post.thread.title)
    assert not PostRevision.objects.exists()


def test_edit_changes_tags_and_their_counts(member, category):
    python, django = TagFactory(name="python"), TagFactory(name="django")
    thread = make_thread(author=member, category=category, tags=[python])
    services.post_edit(post=thread.posts.get(), editor=member, body="changed", title=thread.title, tags=[django])
    assert list(thread.tags.values_list("name", flat=True)) == ["django"]
    assert Tag.objects.get(name="python").thread_count == 0 and Tag.objects.get(name="django").thread_count == 1


def test_deleting_a_reply_hides_it_and_moves_the_counters_back(member, other_member, category):
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    services.like_add(post=reply, member=member)
    services.post_delete(post=reply, member=other_member)
    thread.refresh_from_db()
    category.refresh_from_db()
    reply.refresh_from_db()
    assert reply.is_deleted and reply.deleted_by_id == other_member.pk
    assert thread.reply_count == 0 and thread.like_count == 0 and thread.last_poster_id == member.pk
    assert category.post_count == 1
    assert Post.objects.filter(pk=reply.pk).exists()  # soft: the row stays


def test_deleting_the_opening_post_deletes_the_thread(member, other_member, category):
    tag = TagFactory(name="python")
    thread = make_thread(author=member, category=category, tags=[tag])
    make_reply(thread=thread, author=other_member)
    services.post_delete(post=thread.posts.get(number=1), member=member)
    thread.refresh_from_db()
    category.refresh_from_db()
    tag.refresh_from_db()
    assert thread.is_deleted
    assert (category.thread_count, category.post_count, tag.thread_count) == (0, 0, 0)


def test_like_once_per_member_and_unlike(member, other_member, category):
    post = make_thread(author=member, category=category).posts.get()
    assert services.like_add(post=post, member=other_member) is True
    assert services.like_add(post=post, member=other_member) is False
    post.refresh_from_db()
    assert post.like_count == 1 and Reaction.objects.count() == 1
    assert Thread.objects.get(pk=post.thread_id).like_count == 1
    assert services.like_remove(post=post, member=other_member) is True
    assert services.like_remove(post=post, member=other_member) is False
    post.refresh_from_db()
    assert post.like_count == 0


def test_mark_read_only_moves_forward(member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    services.thread_mark_read(thread=thread, member=member, up_to_number=5)
    services.thread_mark_read(thread=thread, member=member, up_to_number=2)
    assert ReadState.objects.get(thread=thread, member=member).last_read_number == 5


def test_watch_and_unwatch(member, other_member, category):
    thread = make_thread(author=other_member, category=category)
    services.thread_watch(thread=thread, member=member)
    services.thread_watch(thread=thread, member=member)
    assert Subscription.objects.filter(thread=thread, member=member).count() == 1
    services.thread_unwatch(thread=thread, member=member)
    assert not Subscription.objects.filter(thread=thread, member=member).exists()


def test_tag_create_normalises_and_refuses_duplicates():
    assert services.tag_create(name="Machine Learning").name == "machine-learning"
    with pytest.raises(ValidationError):
        services.tag_create(name="machine-learning")
    with pytest.raises(ValidationError):
        services.tag_create(name="!!!")


def test_synchronize_forums_repairs_every_counter(member, other_member, category):
    tag = TagFactory(name="python")
    thread = make_thread(author=member, category=category, tags=[tag])
    reply = make_reply(thread=thread, author=other_member)
    services.like_add(post=reply, member=member)
    Thread.objects.update(reply_count=9, like_count=9, last_post_number=9)
    Post.objects.update(like_count=7)
    Category.objects.update(thread_count=5, post_count=5, last_thread=None)
    Tag.objects.update(thread_count=3)

    changed = synchronize_forums()

    thread.refresh_from_db()
    category.refresh_from_db()
    reply.refresh_from_db()
    tag.refresh_from_db()
    assert changed == {"posts": 2, "threads": 1, "categories": 1, "tags": 1}
    assert (thread.reply_count, thread.like_count, thread.last_post_number) == (1, 1, 2)
    assert reply.like_count == 1
    assert (category.thread_count, category.post_count, category.last_thread_id) == (1, 2, thread.pk)
    assert tag.thread_count == 1
    assert synchronize_forums() == {"posts": 0, "threads": 0, "categories": 0, "tags": 0}


def test_deleting_the_first_response_passes_it_to_the_next_reply_by_someone_else(member, other_member, category):
    thread = make_thread(author=member, category=category)
    first = make_reply(thread=thread, author=other_member)
    make_reply(thread=thread, author=member)
    third = UserFactory()
    second = make_reply(thread=thread, author=third)
    services.post_delete(post=first, member=other_member)
    thread.refresh_from_db()
    assert (thread.first_response_at, thread.first_responder_id) == (second.created_at, third.pk)


def test_first_response_changes_are_announced_after_commit_with_ids(member, other_member, category, django_capture_on_commit_callbacks):
    received = []

    def listen(sender, **kwargs):
        received.append(kwargs)

    signals.first_response_changed.connect(listen)
    try:
        thread = make_thread(author=member, category=category)
        reply = make_reply(thread=thread, author=other_member)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.post_hide(post=reply, reason="flagged")
        assert received == []
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            services.post_unhide(post=reply)
            services.post_unhide(post=reply)  # nothing to show: no change, no signal
            services.thread_move(thread=thread, category=CategoryFactory())  # the first response stays: no signal
    finally:
        signals.first_response_changed.disconnect(listen)
    common = {"signal": signals.first_response_changed, "thread_id": thread.pk, "is_newcomer_thread": False, "category_id": category.pk}
    assert received == [
        {**common, "post_id": None, "responder_id": None, "previous_responder_id": other_member.pk},
        {**common, "post_id": reply.pk, "responder_id": other_member.pk, "previous_responder_id": None},
    ]


def test_synchronize_forums_repairs_first_responses_and_answers_that_cannot_be_answers(member, other_member, category):
    waiting = make_thread(author=member, category=category, title="Waiting")
    answered = make_thread(author=member, category=category, title="Answered")
    make_reply(thread=answered, author=member)
    reply = make_reply(thread=answered, author=other_member)
    Thread.objects.filter(pk=waiting.pk).update(first_response_at=waiting.created_at, first_responder=other_member)
    Thread.objects.filter(pk=answered.pk).update(first_response_at=None, first_responder=None)
    Post.objects.filter(pk=reply.pk).update(is_hidden=True)  # hidden behind the services' back: no longer the first response
    Thread.objects.filter(pk=answered.pk).update(accepted_answer=reply)

    assert synchronize_forums()["threads"] == 2

    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert (waiting.first_response_at, waiting.first_responder_id) == (None, None)
    assert (answered.first_response_at, answered.first_responder_id, answered.accepted_answer_id) == (None, None, None)
    Post.objects.filter(pk=reply.pk).update(is_hidden=False)
    assert synchronize_forums()["threads"] == 1
    answered.refresh_from_db()
    assert (answered.first_response_at, answered.first_responder_id) == (reply.created_at, other_member.pk)
    assert synchronize_forums() == {"posts": 0, "threads": 0, "categories": 0, "tags": 0}


def test_deleting_or_moving_a_categorys_latest_thread_points_it_at_the_next_one(member, other_member, category):
    elsewhere = CategoryFactory()
    older = make_thread(author=member, category=category, title="Older")
    newer = make_thread(author=member, category=category, title="Newer")
    reply = make_reply(thread=newer, author=other_member)
    services.post_delete(post=reply, member=other_member)
    category.refresh_from_db()
    assert (category.last_thread_id, category.last_posted_at) == (newer.pk, newer.created_at)
    services.thread_move(thread=newer, category=elsewhere)
    category.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (category.last_thread_id, category.last_posted_at) == (older.pk, older.created_at)
    assert (elsewhere.last_thread_id, elsewhere.last_posted_at) == (newer.pk, newer.created_at)
    services.post_delete(post=older.posts.get(), member=member)
    category.refresh_from_db()
    assert (category.last_thread_id, category.last_posted_at, category.thread_count, category.post_count) == (None, None, 0, 0)
    assert synchronize_forums() == {"posts": 0, "threads": 0, "categories": 0, "tags": 0}


def test_deleting_the_replies_of_a_deleted_thread_counts_them_once(member, other_member, category):
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    services.like_add(post=thread.posts.get(number=1), member=other_member)
    services.post_delete(post=thread.posts.get(number=1), member=member)
    services.post_delete(post=reply, member=member)  # the last post standing: nothing left to be the thread's latest
    thread.refresh_from_db()
    category.refresh_from_db()
    assert (thread.reply_count, thread.like_count, thread.last_posted_at, thread.last_poster_id) == (0, 0, thread.created_at, member.pk)
    assert (category.thread_count, category.post_count) == (0, 0)
    assert synchronize_forums() == {"posts": 0, "threads": 0, "categories": 0, "tags": 0}


def test_unliking_a_deleted_post_leaves_the_thread_count_as_the_delete_left_it(member, other_member, category):
    from forums.synchronize import synchronize_forums

    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    services.like_add(post=reply, member=member)
    services.post_delete(post=reply, member=other_member)
    assert services.like_remove(post=reply, member=member)
    assert Thread.objects.get(pk=thread.pk).like_count == 0
    assert synchronize_forums()["threads"] == 0


def test_a_hidden_or_deleted_post_cannot_be_liked(member, other_member, category):
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread=thread, author=other_member)
    services.post_hide(post=reply, reason="spam")
    with pytest.raises(ValidationError):
        services.like_add(post=reply, member=member)
    assert Thread.objects.get(pk=thread.pk).like_count == 0
