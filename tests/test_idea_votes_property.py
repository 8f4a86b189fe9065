"""An idea's vote count never drifts: random sequences of idea actions through the real services.

Votes, unvotes, repeated votes, hiding and showing the idea's opening post, deleting the idea and
moving it out of the ideas category and back. After every step each idea's stored `vote_count`
equals the number of its votes, the votes are exactly the ones the model expects, and
`synchronize_ideas` finds nothing to correct. Each example runs in a savepoint rolled back at its end.
"""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from community.members.models import Tier
from forums import services
from forums.models import Idea, IdeaVote, Post, Thread
from forums.synchronize import synchronize_ideas
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 60
STEPS = 25
_bodies = itertools.count(1)


class IdeaVotesMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.members = [UserFactory(tier=Tier.MEMBER) for _ in range(3)]
        self.manager = UserFactory(tier=Tier.LEADER)
        self.ideas_category = CategoryFactory(is_ideas=True)
        self.plain_category = CategoryFactory()
        self.thread_ids = [
            services.thread_create(author=self.members[0], category=self.ideas_category, title="An idea",
                                   body=f"Idea {next(_bodies)}").pk
            for _ in range(2)
        ]
        self.votes: set[tuple[int, int]] = set()  # (thread id, member id)
        self.in_ideas = dict.fromkeys(self.thread_ids, True)
        self.deleted = dict.fromkeys(self.thread_ids, False)

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def _thread(self, pk) -> Thread:
        return Thread.objects.get(pk=pk)

    @rule(data=st.data(), times=st.integers(1, 2))
    def vote(self, data, times):
        thread_id = data.draw(st.sampled_from(self.thread_ids), label="idea")
        member = data.draw(st.sampled_from(self.members), label="member")
        if self.deleted[thread_id]:
            return  # the page 404s on a deleted thread
        for attempt in range(times):  # a second vote in a row changes nothing
            try:
                added = services.idea_vote(thread=self._thread(thread_id), member=member)
            except ValidationError:
                assert not self.in_ideas[thread_id]
                return
            assert self.in_ideas[thread_id]
            assert added is ((thread_id, member.pk) not in self.votes), attempt
            self.votes.add((thread_id, member.pk))

    @rule(data=st.data())
    def unvote(self, data):
        thread_id = data.draw(st.sampled_from(self.thread_ids), label="idea")
        member = data.draw(st.sampled_from(self.members), label="member")
        if self.deleted[thread_id]:
            return
        try:
            removed = services.idea_unvote(thread=self._thread(thread_id), member=member)
        except ValidationError:
            assert not self.in_ideas[thread_id]
            return
        assert removed is ((thread_id, member.pk) in self.votes)
        self.votes.discard((thread_id, member.pk))

    @rule(data=st.data(), hide=st.booleans())
    def hide_or_show(self, data, hide):
        thread_id = data.draw(st.sampled_from(self.thread_ids), label="idea")
        opening = Post.objects.get(thread_id=thread_id, number=1)
        (services.post_hide(post=opening, reason="flagged") if hide else services.post_unhide(post=opening))

    @rule(data=st.data())
    def delete(self, data):
        thread_id = data.draw(st.sampled_from(self.thread_ids), label="idea")
        services.post_delete(post=Post.objects.get(thread_id=thread_id, number=1), member=self.manager)
        self.deleted[thread_id] = True

    @rule(data=st.data(), into_ideas=st.booleans())
    def move(self, data, into_ideas):
        thread_id = data.draw(st.sampled_from(self.thread_ids), label="idea")
        category = self.ideas_category if into_ideas else self.plain_category
        services.thread_move(thread=self._thread(thread_id), category=category)
        self.in_ideas[thread_id] = into_ideas

    @rule(data=st.data(), status=st.sampled_from(["planned", "done", "new"]))
    def set_status(self, data, status):
        thread_id = data.draw(st.sampled_from(self.thread_ids), label="idea")
        try:
            services.idea_set_status(thread=self._thread(thread_id), member=self.manager, status=status)
        except ValidationError:
            assert not self.in_ideas[thread_id]

    @invariant()
    def vote_count_equals_the_votes(self):
        stored = dict(Idea.objects.filter(pk__in=self.thread_ids).values_list("pk", "vote_count"))
        for thread_id in self.thread_ids:
            expected = {member for (pk, member) in self.votes if pk == thread_id}
            assert set(IdeaVote.objects.filter(idea_id=thread_id).values_list("member_id", flat=True)) == expected
            assert stored.get(thread_id, 0) == len(expected)

    @invariant()
    def nothing_needs_synchronizing(self):
        assert synchronize_ideas() == 0


def test_vote_counts_survive_any_sequence_of_idea_actions():
    run_state_machine_as_test(IdeaVotesMachine, settings=settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
