"""Seats are never overbooked and the waiting list keeps its order: proven under real concurrency and
over random sequences of RSVPs, capacity changes, check-ins, cancellations and members deleting their accounts
through the real services.

After every step of the state machine: a member who deleted their account holds no seat and no place in line;
going never exceeds the seats; someone waits only while the
event is full; the waiting list is exactly the "going" requests that found no seat, in the order they
came; a freed seat went to the first in line; the counters on Event equal the counts of RSVP rows;
only members going are checked in.
"""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from community.events import services
from community.events.models import RSVP, Event
from community.members import services as member_services
from community.members.models import Tier
from tests.factories import CategoryFactory, UserFactory, make_event, make_manager

Status = RSVP.Status
MAX_EXAMPLES = 60
STEPS = 30


def test_thirty_members_racing_for_five_seats_get_five_seats_and_a_waiting_list_in_order(transactional_db):
    event = make_event(capacity=5, host=make_manager())
    members = [UserFactory(tier=Tier.MEMBER) for _ in range(30)]
    barrier = threading.Barrier(len(members))
    errors = []

    def say_going(member):
        try:
            barrier.wait()
            services.rsvp_set(event=event, member=member, status=Status.GOING)
        except Exception as error:  # reported below: the test must see any failure
            errors.append(repr(error))
        finally:
            connection.close()  # each thread had a real connection of its own

    threads = [threading.Thread(target=say_going, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    event.refresh_from_db()
    rsvps = RSVP.objects.filter(event=event)
    assert rsvps.filter(status=Status.GOING).count() == 5 and event.going_count == 5
    waiting = list(rsvps.filter(status=Status.WAITING).order_by("position"))
    assert len(waiting) == 25 and event.waiting_count == 25
    # In order: positions 1..25 handed out one at a time, in the order the requests took the event's lock
    # (each waiting row was written after the one before it).
    assert [rsvp.position for rsvp in waiting] == list(range(1, 26))
    assert [rsvp.updated_at for rsvp in waiting] == sorted(rsvp.updated_at for rsvp in waiting)
    # The first to leave frees a seat for number 1 on the list.
    leaver = rsvps.filter(status=Status.GOING).first().member
    services.rsvp_set(event=event, member=leaver, status=Status.NO)
    assert RSVP.objects.get(pk=waiting[0].pk).status == Status.GOING


class SeatsMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.host = make_manager()
        self.members = [UserFactory(tier=Tier.MEMBER) for _ in range(5)]
        self.event = make_event(host=self.host, category=CategoryFactory(), capacity=2)
        self.capacity = 2
        self.line: list[int] = []  # member ids waiting, in order
        self.cancelled = False
        self.started = False

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def _statuses(self) -> dict[int, str]:
        return dict(RSVP.objects.filter(event=self.event).values_list("member_id", "status"))

    @rule(data=st.data(), status=st.sampled_from([Status.GOING, Status.GOING, Status.MAYBE, Status.NO]))
    def answer(self, data, status):
        member = data.draw(st.sampled_from(self.members), label="member")
        before = self._statuses()
        try:
            services.rsvp_set(event=self.event, member=member, status=status)
        except ValidationError:
            checked_in = RSVP.objects.filter(event=self.event, member=member, checked_in_at__isnull=False).exists()
            assert self.cancelled or checked_in  # a member checked in keeps their answer
            return
        going_before = [pk for pk, s in before.items() if s == Status.GOING]
        if status == Status.GOING:
            if before.get(member.pk) not in (Status.GOING, Status.WAITING) and len(going_before) >= self.capacity:
                self.line.append(member.pk)
        else:
            if member.pk in self.line:
                self.line.remove(member.pk)
            if before.get(member.pk) == Status.GOING:
                self.line = self.line[1:]  # the first in line took the freed seat

    @rule(capacity=st.integers(1, 4))
    def change_seats(self, capacity):
        event = Event.objects.get(pk=self.event.pk)
        fields = services.EventFields(title=event.title, description="", kind=event.kind, category=event.category,
                                      starts_at=event.starts_at, ends_at=event.ends_at, time_zone=event.time_zone,
                                      venue=event.venue, capacity=capacity)
        going = event.going_count
        try:
            services.event_update(event=event, fields=fields)
        except ValidationError:
            assert self.cancelled or capacity < going
            return
        promoted = max(0, capacity - going)
        self.line = self.line[promoted:]
        self.capacity = capacity

    @rule(data=st.data())
    def check_in(self, data):
        member = data.draw(st.sampled_from(self.members), label="member")
        if not self.started:
            start = timezone.now() - timedelta(minutes=5)
            Event.objects.filter(pk=self.event.pk).update(starts_at=start, ends_at=start + timedelta(days=2))
            self.started = True
        try:
            services.check_in(event=self.event, member_id=member.pk, by=self.host)
        except ValidationError:
            rsvp = RSVP.objects.filter(event=self.event, member=member).first()
            assert self.cancelled or rsvp is None or rsvp.status != Status.GOING or rsvp.checked_in_at is not None

    @rule(data=st.data())
    def leave(self, data):
        """A member deletes their account: their answer is withdrawn as if they said "not going" (unless checked in)."""
        if len(self.members) == 1:
            return
        member = data.draw(st.sampled_from(self.members), label="member")
        rsvp = RSVP.objects.filter(event=self.event, member=member).first()
        member_services.account_delete(member=member, remove_posts=False)
        self.members.remove(member)
        if self.cancelled or rsvp is None or rsvp.checked_in_at is not None:
            return
        if member.pk in self.line:
            self.line.remove(member.pk)
        if rsvp.status == Status.GOING:
            self.line = self.line[1:]  # the first in line took the freed seat

    @rule()
    def cancel(self):
        if self.cancelled:
            return
        services.event_cancel(event=self.event, reason="")
        self.cancelled = True

    @invariant()
    def seats_are_never_overbooked_and_the_line_keeps_its_order(self):
        event = Event.objects.get(pk=self.event.pk)
        rows = RSVP.objects.filter(event=event)
        going = rows.filter(status=Status.GOING).count()
        waiting = list(rows.filter(status=Status.WAITING).order_by("position").values_list("member_id", flat=True))
        assert going <= event.capacity
        assert not waiting or going == event.capacity
        assert waiting == self.line
        assert (event.going_count, event.waiting_count, event.maybe_count) == (
            going, len(waiting), rows.filter(status=Status.MAYBE).count())
        assert event.checked_in_count == rows.filter(checked_in_at__isnull=False).count()
        assert not rows.filter(checked_in_at__isnull=False).exclude(status=Status.GOING).exists()


    @invariant()
    def a_deleted_member_holds_no_seat_nor_a_place_in_line(self):
        if self.cancelled:
            return  # a cancelled event has no seats to give back
        held = RSVP.objects.filter(event=self.event, member__deleted_at__isnull=False, checked_in_at__isnull=True)
        assert not held.exclude(status=Status.NO).exists()


@pytest.mark.django_db
def test_seats_and_the_waiting_list_survive_any_sequence_of_answers():
    run_state_machine_as_test(SeatsMachine, settings=settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
