"""Events through a real Celery worker on Redis: check-in → points and badges; a freed seat → the first waiting is told."""

from datetime import timedelta

from django.utils import timezone

from community.events import services, tasks
from community.events.models import RSVP, Event
from community.notifications.models import Kind, Notification
from loyalty.models import BadgeAward, LoyaltyAccount, PointsEntry, Reason
from tests.conftest import wait_for
from tests.factories import UserFactory, make_event, make_manager


def _now_open(event):
    start = timezone.now() - timedelta(minutes=10)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    event.refresh_from_db()
    return event


def test_a_check_in_earns_the_event_points_and_the_event_goer_badge_once(celery_worker):
    host, guest = make_manager(), UserFactory(username="guest")
    event = make_event(host=host)
    services.rsvp_set(event=event, member=guest, status=RSVP.Status.GOING)
    services.check_in(event=_now_open(event), member_id=guest.pk, by=host)
    wait_for(lambda: LoyaltyAccount.objects.filter(member=guest, balance=20).exists())
    wait_for(lambda: BadgeAward.objects.filter(member=guest, badge__slug="event-goer").exists())
    wait_for(lambda: Notification.objects.filter(recipient=guest, kind=Kind.BADGE).exists())
    # The job running again (a retry, a redelivery) awards nothing more.
    from loyalty.tasks import event_attended

    event_attended(event.pk, guest.pk, event.category_id)
    assert PointsEntry.objects.filter(member=guest, reason=Reason.EVENT_ATTENDED).count() == 1
    assert LoyaltyAccount.objects.get(member=guest).balance == 20


def test_three_events_in_90_days_make_a_core_attendee(celery_worker):
    host, guest = make_manager(), UserFactory(username="regular_guest")
    for number in range(3):
        event = make_event(host=host, title=f"Meetup {number}")
        services.rsvp_set(event=event, member=guest, status=RSVP.Status.GOING)
        services.check_in(event=_now_open(event), member_id=guest.pk, by=host)
    wait_for(lambda: BadgeAward.objects.filter(member=guest, badge__slug="core-attendee").exists())
    assert PointsEntry.objects.filter(member=guest, reason=Reason.EVENT_ATTENDED).count() == 3


def test_a_freed_seat_tells_the_first_on_the_waiting_list(celery_worker):
    event = make_event(capacity=1)
    first, second, third = UserFactory(username="first"), UserFactory(username="second"), UserFactory(username="third")
    for member in (first, second, third):
        services.rsvp_set(event=event, member=member, status=RSVP.Status.GOING)
    services.rsvp_set(event=event, member=first, status=RSVP.Status.NO)
    notice = wait_for(lambda: Notification.objects.filter(recipient=second, kind=Kind.EVENT).first())
    assert "A seat freed up" in notice.message["text"]
    assert not Notification.objects.filter(recipient=third, kind=Kind.EVENT).exists()
    assert RSVP.objects.get(member=second).status == RSVP.Status.GOING


def test_reminders_sent_by_the_job_twice_at_once_go_once(transactional_db):
    """Two runs of the beat job at the same moment (two workers), on connections of their own."""
    import threading

    from django.db import connection

    event = make_event(starts_in=timedelta(minutes=30))
    guests = [UserFactory(username=f"punctual{n}") for n in range(5)]
    for guest in guests:
        services.rsvp_set(event=event, member=guest, status=RSVP.Status.GOING)
    barrier, sent = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            sent.append(tasks.send_reminders())
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=30)
    assert sum(sent) == 5
    for guest in guests:
        assert Notification.objects.filter(recipient=guest, kind=Kind.EVENT).count() == 1
