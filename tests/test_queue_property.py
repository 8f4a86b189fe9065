"""The newcomer queue never loses a thread: random sequences of forum actions through the real services.

After every step the stored first response equals a recomputation from the posts, the accepted
answer is one readers can see, a thread is in the queue exactly when it should be, and
`synchronize_forums` finds nothing to correct. Each example runs in a savepoint rolled back at its
end, so examples do not see each other's rows (and no after-commit signal ever fires).
"""

import itertools
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from community.members.models import Tier
from community.triage import selectors as triage_selectors
from community.triage import services as triage_services
from forums import services
from forums.models import Post, Thread
from forums.synchronize import synchronize_forums
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 100
STEPS = 25

_bodies = itertools.count(1)


@dataclass
class PostModel:
    pk: int
    thread_pk: int
    number: int
    author_pk: int
    created_at: object
    hidden: bool = False
    deleted: bool = False

    @property
    def visible(self) -> bool:
        return not (self.hidden or self.deleted)


@dataclass
class ThreadModel:
    pk: int
    author_pk: int
    is_newcomer_thread: bool
    deleted: bool = False
    accepted_pk: int | None = None
    set_aside: bool = False  # snoozed or marked "no reply needed" in the queue


def _is_reply(post: PostModel) -> bool:
    return post.number > 1


class QueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.newcomers = [UserFactory(tier=Tier.NEWCOMER) for _ in range(2)]
        self.members = [UserFactory(tier=Tier.MEMBER) for _ in range(2)]
        self.manager = UserFactory(tier=Tier.LEADER)
        self.categories = [CategoryFactory(), CategoryFactory()]
        self.threads: list[ThreadModel] = []
        self.posts: list[PostModel] = []
        # Two newcomer threads and one by a member, who is never in the queue.
        for author in (self.newcomers[0], self.newcomers[1], self.members[0]):
            thread = services.thread_create(author=author, category=self.categories[0], title="A question",
                                            body=f"Question {next(_bodies)}")
            self.threads.append(ThreadModel(pk=thread.pk, author_pk=author.pk, is_newcomer_thread=author.is_newcomer))
            self._add_post(thread.posts.get())

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # What the site would show, computed from the model alone.

    def _add_post(self, post: Post) -> None:
        self.posts.append(PostModel(pk=post.pk, thread_pk=post.thread_id, number=post.number, author_pk=post.author_id,
                                    created_at=post.created_at))

    def _first_response(self, thread: ThreadModel) -> PostModel | None:
        """The earliest reply readers can see by someone other than the thread's author."""
        replies = sorted((p for p in self.posts if p.thread_pk == thread.pk and _is_reply(p)), key=lambda p: p.number)
        return next((p for p in replies if p.visible and p.author_pk != thread.author_pk), None)

    def _expected_first_response(self, thread: ThreadModel) -> tuple:
        first = self._first_response(thread)
        return (first.created_at, first.author_pk) if first else (None, None)

    def _is_first_response(self, post: PostModel) -> bool:
        return self._first_response(self._thread(post.thread_pk)) is post

    def _is_waiting(self, thread: ThreadModel) -> bool:
        return thread.is_newcomer_thread and not thread.deleted and self._first_response(thread) is None

    def _thread(self, pk: int) -> ThreadModel:
        return next(t for t in self.threads if t.pk == pk)

    def _people(self):
        return self.newcomers + self.members

    def _draw_post(self, data, *preferences) -> PostModel:
        """Mostly a post the first preference with any takes (the interesting ones: first responses, hidden
        posts, then replies), sometimes any post at all, opening posts included."""
        if data.draw(st.integers(0, 4), label="preferred") > 0:
            for prefer in preferences:
                preferred = [p for p in self.posts if prefer(p)]
                if preferred:
                    return data.draw(st.sampled_from(preferred), label="post")
        return data.draw(st.sampled_from(self.posts), label="post")

    # Actions, each through the real service.

    @rule(data=st.data(), by_author=st.booleans())
    def reply(self, data, by_author):
        live = [t for t in self.threads if not t.deleted]  # the reply page 404s on a deleted thread
        if not live:
            return
        thread = data.draw(st.sampled_from(live), label="thread")
        others = [m for m in self._people() if m.pk != thread.author_pk]
        author = next(m for m in self._people() if m.pk == thread.author_pk) if by_author else data.draw(
            st.sampled_from(others), label="replier")
        post = services.reply_create(thread=Thread.objects.get(pk=thread.pk), author=author, body=f"Reply {next(_bodies)}")
        self._add_post(post)

    @rule(data=st.data())
    def delete(self, data):
        model = self._draw_post(data, self._is_first_response, _is_reply)
        post = Post.objects.get(pk=model.pk)
        services.post_delete(post=post, member=self.manager)
        thread = self._thread(model.thread_pk)
        model.deleted = True
        if model.number == 1:
            thread.deleted = True
        if thread.accepted_pk == model.pk:
            thread.accepted_pk = None

    @rule(data=st.data())
    def hide(self, data):
        model = self._draw_post(data, self._is_first_response, _is_reply)
        assert services.post_hide(post=Post.objects.get(pk=model.pk), reason="flagged") is (not model.hidden)
        model.hidden = True
        thread = self._thread(model.thread_pk)
        if thread.accepted_pk == model.pk:
            thread.accepted_pk = None

    @rule(data=st.data())
    def unhide(self, data):
        model = self._draw_post(data, lambda p: p.hidden, _is_reply)
        assert services.post_unhide(post=Post.objects.get(pk=model.pk)) is model.hidden
        model.hidden = False

    @rule(data=st.data())
    def move(self, data):
        thread = data.draw(st.sampled_from(self.threads), label="thread")
        category = data.draw(st.sampled_from(self.categories), label="category")
        services.thread_move(thread=Thread.objects.get(pk=thread.pk), category=category)

    @rule(data=st.data(), liking=st.booleans())
    def like_or_unlike(self, data, liking):
        # Likes move the counters that deleting a post moves back; the site offers them on posts it shows
        # (a hidden post refuses a like: tests/test_forum_services.py).
        shown = [p for p in self.posts if not p.deleted and not (liking and p.hidden)]
        if not shown:
            return
        post = Post.objects.get(pk=data.draw(st.sampled_from(shown), label="post").pk)
        member = data.draw(st.sampled_from(self._people()), label="member")
        (services.like_add if liking else services.like_remove)(post=post, member=member)

    @rule(data=st.data())
    def accept(self, data):
        model = self._draw_post(data, lambda p: _is_reply(p) and p.visible, _is_reply)
        thread = self._thread(model.thread_pk)
        can_be_answer = _is_reply(model) and model.visible
        try:
            services.answer_accept(thread=Thread.objects.get(pk=thread.pk), post=Post.objects.get(pk=model.pk), member=self.manager)
        except ValidationError:
            assert not can_be_answer
        else:
            assert can_be_answer
            thread.accepted_pk = model.pk

    @rule(data=st.data())
    def unaccept(self, data):
        thread = data.draw(st.sampled_from(self.threads), label="thread")
        services.answer_unaccept(thread=Thread.objects.get(pk=thread.pk), member=self.manager)
        thread.accepted_pk = None

    @precondition(lambda self: any(not t.set_aside for t in self.threads))
    @rule(data=st.data(), how=st.sampled_from(["snooze", "no_reply_needed"]))
    def set_aside(self, data, how):
        thread = data.draw(st.sampled_from([t for t in self.threads if not t.set_aside]), label="thread")
        row = Thread.objects.get(pk=thread.pk)
        try:
            if how == "snooze":
                triage_services.snooze(thread=row, member=self.manager, duration="4h")
            else:
                triage_services.mark_no_reply_needed(thread=row, member=self.manager, reason="Answered elsewhere")
        except ValidationError:
            assert not self._is_waiting(thread)  # only a waiting thread can be set aside
        else:
            assert self._is_waiting(thread)
            thread.set_aside = True

    # What must hold after every step.

    @invariant()
    def posts_are_as_the_model_says(self):
        stored = {pk: (hidden, deleted) for pk, hidden, deleted in Post.objects.values_list("pk", "is_hidden", "is_deleted")}
        assert stored == {p.pk: (p.hidden, p.deleted) for p in self.posts}

    @invariant()
    def first_response_and_answer_equal_a_recomputation(self):
        rows = {t.pk: t for t in Thread.objects.all()}
        for thread in self.threads:
            row = rows[thread.pk]
            assert (row.first_response_at, row.first_responder_id) == self._expected_first_response(thread), thread
            assert row.accepted_answer_id == thread.accepted_pk, thread
            assert row.is_deleted == thread.deleted

    @invariant()
    def queue_holds_exactly_the_waiting_newcomer_threads(self):
        now = timezone.now()
        waiting = {t.pk for t in self.threads if self._is_waiting(t)}
        assert set(triage_selectors.waiting_newcomer_threads().values_list("pk", flat=True)) == waiting
        assert set(triage_selectors.in_queue(now).values_list("pk", flat=True)) == {
            t.pk for t in self.threads if t.pk in waiting and not t.set_aside}

    @invariant()
    def counters_need_no_synchronizing(self):
        assert synchronize_forums() == {"posts": 0, "threads": 0, "categories": 0, "tags": 0}


def test_the_queue_and_first_responses_survive_any_sequence_of_forum_actions():
    run_state_machine_as_test(QueueMachine, settings=settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
