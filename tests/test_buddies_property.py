"""Buddy matching holds its rules under real concurrency and over random sequences of volunteers opting in and
out, newcomers signing up, picking interests and posting, time passing and the hourly job, through the real services.

After every step: each newcomer has at most one open match; no volunteer has more newcomers than their cap; no
open match has a buddy who opted out or an expired window once the job has run; a rematch keeps the
newcomer's first fortnight.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from community.buddies import selectors, services
from community.buddies.models import BuddyMatch, BuddyVolunteer
from community.members.models import Profile, Tier, User
from community.notifications.models import Kind, Notification
from tests.conftest import wait_for
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_newcomer, make_reply, make_thread, make_volunteer
from tests.races import race

MAX_EXAMPLES = 50
STEPS = 30


def test_racing_matches_never_overfill_a_cap_nor_give_a_newcomer_two_buddies(transactional_db):
    tag = TagFactory(name="python")
    volunteers = [make_volunteer(tags=[tag], cap=cap) for cap in (3, 2, 2)]
    newcomers = [make_newcomer(interests=[tag]) for _ in range(10)]
    # Each newcomer asked for twice at once (their interests saved and their first post, say).
    calls = [lambda n=n: services.match_newcomer(newcomer=n) for n in newcomers for _twice in range(2)]

    assert race(calls) == []

    loads = dict(BuddyMatch.objects.values("buddy_id").annotate(n=Count("pk")).values_list("buddy_id", "n"))
    assert all(loads.get(v.member_id, 0) <= v.cap for v in volunteers)
    assert sum(loads.values()) == 7  # every seat taken, none twice
    per_newcomer = BuddyMatch.objects.values("newcomer_id").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_newcomer) == {1}
    # Each match told both once.
    assert Notification.objects.filter(kind=Kind.BUDDY).count() == 14


def test_a_buddy_opting_out_while_newcomers_are_matched_keeps_every_rule(transactional_db):
    tag = TagFactory(name="python")
    leaving = make_volunteer(tags=[tag], cap=3)
    staying = [make_volunteer(tags=[tag], cap=3) for _ in range(2)]
    early = [make_newcomer(interests=[tag]) for _ in range(3)]
    for newcomer in early:
        services.match_newcomer(newcomer=newcomer)
    late = [make_newcomer(interests=[tag]) for _ in range(4)]
    calls = [lambda: services.volunteer_opt_out(member=leaving.member)]
    calls += [lambda n=n: services.match_newcomer(newcomer=n) for n in late]

    assert race(calls) == []

    open_matches = BuddyMatch.objects.filter(ended_at__isnull=True)
    assert not open_matches.filter(buddy=leaving.member).exists()
    assert open_matches.count() == 6  # 3 rematched + 3 of the 4 late ones: both buddies full
    for volunteer in staying:
        assert open_matches.filter(buddy=volunteer.member).count() <= volunteer.cap


def test_a_newcomers_first_post_reaches_their_buddy_through_the_worker(celery_worker):
    tag = TagFactory(name="python")
    volunteer = make_volunteer(tags=[tag])
    newcomer = make_newcomer()
    thread = make_thread(author=newcomer, category=CategoryFactory(), title="Hello, I am new here")

    heard = wait_for(lambda: Notification.objects.filter(recipient=volunteer.member, kind=Kind.BUDDY, post__isnull=False).first(),
                     timeout=30)

    assert heard.thread_id == thread.pk
    assert BuddyMatch.objects.get(newcomer=newcomer).buddy == volunteer.member
    wait_for(lambda: Notification.objects.filter(recipient=newcomer, kind=Kind.BUDDY).exists(), timeout=30)


class BuddiesMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.now = timezone.now()
        self.tags = [TagFactory(name=name) for name in ("python", "django", "css")]
        self.regulars = [UserFactory(tier=Tier.REGULAR) for _ in range(2)]
        self.newcomers: list[User] = []
        self.job_ran_last = False
        self.category = CategoryFactory()
        self.thread = make_thread(author=UserFactory(), category=self.category, title="Where newcomers reply")

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def _step(self):
        self.job_ran_last = False

    @rule(which=st.integers(0, 1), cap=st.integers(1, 2), tags=st.sets(st.integers(0, 2), min_size=1))
    def opt_in(self, which, cap, tags):
        self._step()
        try:
            services.volunteer_opt_in(member=self.regulars[which], interests=[self.tags[i] for i in tags], cap=cap, now=self.now)
        except ValidationError:
            assert cap < selectors.open_matches(self.now).filter(buddy=self.regulars[which]).count()

    @rule(which=st.integers(0, 1))
    def opt_out(self, which):
        self._step()
        services.volunteer_opt_out(member=self.regulars[which], now=self.now)

    @rule(which=st.integers(0, 1))
    def lose_eligibility(self, which):
        self._step()
        User.objects.filter(pk=self.regulars[which].pk).update(tier=Tier.MEMBER)
        self.regulars[which] = User.objects.get(pk=self.regulars[which].pk)

    @rule(which=st.integers(0, 1))
    def regain_eligibility(self, which):
        self._step()
        User.objects.filter(pk=self.regulars[which].pk).update(tier=Tier.REGULAR)
        self.regulars[which] = User.objects.get(pk=self.regulars[which].pk)

    @rule(then=st.sampled_from(["waits", "picks interests", "posts"]), tags=st.sets(st.integers(0, 2), min_size=1))
    def sign_up(self, then, tags):
        self._step()
        newcomer = make_newcomer(joined=self.now, interests=[self.tags[i] for i in tags] if then == "picks interests" else ())
        self.newcomers.append(newcomer)
        if then == "picks interests":
            services.match_newcomer(newcomer=newcomer, now=self.now)
        elif then == "posts":
            services.match_newcomer(newcomer=newcomer, now=self.now)
            services.buddy_hears_of_post(post=make_reply(thread=self.thread, author=newcomer))

    @precondition(lambda self: self.newcomers)
    @rule(data=st.data(), tags=st.sets(st.integers(0, 2), min_size=1))
    def pick_interests(self, data, tags):
        self._step()
        newcomer = data.draw(st.sampled_from(self.newcomers))
        profile, _created = Profile.objects.get_or_create(user=newcomer)
        profile.interests.set([self.tags[i] for i in tags])
        services.match_newcomer(newcomer=newcomer, now=self.now)

    @precondition(lambda self: self.newcomers)
    @rule(data=st.data())
    def post(self, data):
        self._step()
        newcomer = data.draw(st.sampled_from(self.newcomers))
        post = make_reply(thread=self.thread, author=newcomer)
        services.match_newcomer(newcomer=newcomer, now=self.now)
        services.buddy_hears_of_post(post=post)

    @rule(hours=st.sampled_from([1, 12, 30, 24 * 5, 24 * 15]))
    def time_passes(self, hours):
        self._step()
        self.now += timedelta(hours=hours)

    @rule()
    def hourly_job(self):
        services.match_waiting_newcomers(now=self.now)
        self.job_ran_last = True

    @invariant()
    def each_newcomer_has_at_most_one_open_match(self):
        counts = BuddyMatch.objects.filter(ended_at__isnull=True).values("newcomer_id").annotate(n=Count("pk"))
        assert all(row["n"] == 1 for row in counts)

    @invariant()
    def no_volunteer_is_over_their_cap(self):
        for volunteer in BuddyVolunteer.objects.all():
            assert selectors.open_matches(self.now).filter(buddy_id=volunteer.member_id).count() <= volunteer.cap

    @invariant()
    def no_open_match_has_a_buddy_who_left(self):
        gone = BuddyVolunteer.objects.filter(is_active=False).values("member_id")
        assert not BuddyMatch.objects.filter(ended_at__isnull=True, buddy_id__in=gone).exists()

    @invariant()
    def after_the_job_no_open_match_has_an_expired_window(self):
        if self.job_ran_last:
            assert not BuddyMatch.objects.filter(ended_at__isnull=True, ends_at__lte=self.now).exists()
        assert all(m.ends_at > self.now for m in selectors.open_matches(self.now))

    @invariant()
    def a_rematch_keeps_the_first_fortnight(self):
        firsts = dict(BuddyMatch.objects.values("newcomer_id").annotate(first=Min("matched_at")).values_list("newcomer_id", "first"))
        for match in BuddyMatch.objects.all():
            assert match.ends_at == firsts[match.newcomer_id] + selectors.BUDDY_WINDOW


@pytest.mark.django_db
def test_buddy_rules_hold_after_any_sequence_of_steps():
    run_state_machine_as_test(BuddiesMachine, settings=settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
