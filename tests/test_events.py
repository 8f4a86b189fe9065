"""Events: creating and changing, RSVP with a waiting list, check-in at the door, reminders, calendar files.

Refusals are judged by what changed in the database (nothing), as the permission table does.
"""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from community.events import figures, ics, selectors, services, tasks
from community.events.models import RSVP, Event, Reminder
from community.members.models import Profile, Tier
from community.notifications.models import Kind, Notification
from forums.models import Thread
from tests.factories import CategoryFactory, UserFactory, make_event, make_manager

Status = RSVP.Status


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _started(event, *, ago=timedelta(minutes=30), hours=2):
    """Move an event into the present (services refuse to create one in the past)."""
    start = timezone.now() - ago
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=hours))
    event.refresh_from_db()
    return event


def _counts_match(event):
    event.refresh_from_db()
    rows = {status: event.rsvps.filter(status=status).count() for status in Status.values}
    assert (event.going_count, event.maybe_count, event.waiting_count) == (rows["going"], rows["maybe"], rows["waiting"])
    assert event.checked_in_count == event.rsvps.filter(checked_in_at__isnull=False).count()


# -- creating and changing --------------------------------------------------------------------------

def test_a_manager_creates_an_event_with_its_discussion_thread(db):
    manager = make_manager(username="boss")
    category = CategoryFactory(name="Events & Meetups", slug="events")
    response = _client(manager).post("/events/new/", {
        "title": "Python evening", "description": "Talks and **tea**.", "kind": "offline", "category": category.pk,
        "starts_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT18:00"),
        "ends_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT21:00"),
        "time_zone": "Europe/Moscow", "venue": "Library", "address": "Main street 1", "capacity": "10"})
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert event.host == manager and event.capacity == 10 and "<strong>tea</strong>" in event.description_html
    # 18:00 in Moscow is 15:00 UTC, shown in the event's zone on its page.
    assert event.starts_at.astimezone(UTC).hour == 15
    thread = Thread.objects.get(pk=event.thread_id)
    assert (thread.category, thread.author, thread.title) == (category, manager, "Python evening")
    page = _client().get(f"/events/{event.pk}/").content.decode()
    assert "Python evening" in page and "Library" in page and "openstreetmap.org/search?query=Main%20street%201" in page


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_at": "start"}, "The event must end after it starts."),
    ({"starts_at": "past"}, "An event starts in the future."),
    ({"venue": "", "address": ""}, "Say where people meet"),
    ({"join_url": "javascript:alert(1)", "kind": "online"}, "Enter a web address starting with https://."),
    ({"capacity": "0"}, "greater than or equal to 1"),
])
def test_bad_event_input_is_a_clear_error_and_creates_nothing(db, change, field):
    manager = make_manager()
    category = CategoryFactory()
    day = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d")
    data = {"title": "Evening", "kind": "offline", "category": category.pk, "starts_at": f"{day}T18:00",
            "ends_at": f"{day}T20:00", "time_zone": "UTC", "venue": "Library"}
    data.update(change)
    if data["ends_at"] == "start":
        data["ends_at"] = f"{day}T17:00"
    if data["starts_at"] == "past":
        data["starts_at"] = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        data["ends_at"] = (timezone.now() - timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    response = _client(manager).post("/events/new/", data)
    assert response.status_code == 400 and field in response.content.decode()
    assert "Evening" in response.content.decode()  # what was typed is kept
    assert not Event.objects.exists() and not Thread.objects.exists()


def test_seats_cannot_drop_below_those_going(db):
    event = make_event(capacity=3)
    for member in UserFactory.create_batch(3):
        services.rsvp_set(event=event, member=member, status=Status.GOING)
    fields = services.EventFields(title=event.title, description="", kind=event.kind, category=event.category,
                                  starts_at=event.starts_at, ends_at=event.ends_at, time_zone=event.time_zone,
                                  venue=event.venue, capacity=2)
    with pytest.raises(ValidationError, match="3 people are already going"):
        services.event_update(event=event, fields=fields)
    event.refresh_from_db()
    assert event.capacity == 3


def test_tier_3_members_create_events_and_members_below_cannot(db):
    category = CategoryFactory()
    assert _client(UserFactory(tier=Tier.CHAMPION)).get("/events/new/").status_code == 200
    refused = _client(UserFactory(tier=Tier.REGULAR)).post("/events/new/", {"title": "Mine", "category": category.pk})
    assert refused.status_code == 403 and not Event.objects.exists()


def test_only_the_host_and_managers_edit_or_cancel(db):
    host = UserFactory(tier=Tier.CHAMPION)
    event = make_event(host=host)
    stranger = UserFactory(tier=Tier.CHAMPION)
    assert _client(stranger).post(f"/events/{event.pk}/cancel/", {"reason": "no"}).status_code == 403
    event.refresh_from_db()
    assert event.cancelled_at is None
    assert _client(host).post(f"/events/{event.pk}/cancel/", {"reason": "Rain"}).status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None and event.cancel_reason == "Rain"


# -- RSVP -------------------------------------------------------------------------------------------

def test_a_full_event_fills_a_waiting_list_in_order_and_a_freed_seat_goes_to_the_first(db):
    event = make_event(capacity=2)
    a, b, c, d = UserFactory.create_batch(4)
    for member in (a, b, c, d):
        services.rsvp_set(event=event, member=member, status=Status.GOING)
    assert [r.member for r in selectors.waiting_list(event)] == [c, d]
    _counts_match(event)
    services.rsvp_set(event=event, member=a, status=Status.NO)
    assert RSVP.objects.get(event=event, member=c).status == Status.GOING
    assert [r.member for r in selectors.waiting_list(event)] == [d]
    _counts_match(event)
    # The one promoted is told (the job that the RSVP sends after commit).
    promoted = RSVP.objects.get(event=event, member=c)
    assert tasks.tell_promoted(promoted.pk) is True
    notice = Notification.objects.get(recipient=c, kind=Kind.EVENT)
    assert "A seat freed up" in notice.message["text"]
    assert "A seat freed up: you are going to “Meetup” (" in _client(c).get("/notifications/").content.decode()
    assert _client(c).get(f"/notifications/{notice.pk}/")["Location"] == f"/events/{event.pk}/"
    # Event notices are emailed at once by default (a seat, a reminder or a cancellation cannot wait for a digest).
    from django.core import mail

    from community.notifications.emails import send_notification

    assert notice.delivery == "now"
    send_notification(notice)
    assert "A seat freed up" in mail.outbox[-1].subject and f"/events/{event.pk}/" in mail.outbox[-1].body


def test_more_seats_promote_the_waiting_list(db):
    event = make_event(capacity=1)
    first, second = UserFactory.create_batch(2)
    services.rsvp_set(event=event, member=first, status=Status.GOING)
    services.rsvp_set(event=event, member=second, status=Status.GOING)
    fields = services.EventFields(title=event.title, description="", kind=event.kind, category=event.category,
                                  starts_at=event.starts_at, ends_at=event.ends_at, time_zone=event.time_zone,
                                  venue=event.venue, capacity=2)
    services.event_update(event=event, fields=fields)
    assert RSVP.objects.get(member=second).status == Status.GOING
    _counts_match(event)


@pytest.mark.parametrize("state", ["past", "cancelled"])
def test_rsvp_to_a_past_or_cancelled_event_is_refused_and_changes_nothing(db, state):
    event = make_event()
    member = UserFactory()
    if state == "past":
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(days=2),
                                                 ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2))
    else:
        services.event_cancel(event=event, reason="")
    response = _client(member).post(f"/events/{event.pk}/rsvp/", {"status": "going"}, follow=True)
    assert response.status_code in (200, 403)
    assert not RSVP.objects.exists()
    assert ("This event is over." if state == "past" else "This event was cancelled.") in response.content.decode()


def test_the_early_window_keeps_going_for_tier_2_and_up(db):
    event = make_event(priority_until=timezone.now() + timedelta(days=1))
    member, regular = UserFactory(tier=Tier.MEMBER), UserFactory(tier=Tier.REGULAR)
    with pytest.raises(ValidationError, match="tier 2"):
        services.rsvp_set(event=event, member=member, status=Status.GOING)
    services.rsvp_set(event=event, member=member, status=Status.MAYBE)
    services.rsvp_set(event=event, member=regular, status=Status.GOING)
    assert dict(RSVP.objects.values_list("member__tier", "status")) == {Tier.MEMBER: "maybe", Tier.REGULAR: "going"}


def test_rsvp_by_htmx_answers_with_the_panel(db):
    event = make_event(capacity=1)
    first, second = UserFactory.create_batch(2)
    services.rsvp_set(event=event, member=first, status=Status.GOING)
    panel = _client(second).post(f"/events/{event.pk}/rsvp/", {"status": "going"}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'id="rsvp-panel"' in panel.content.decode()
    assert "waiting list" in panel.content.decode() and "<html" not in panel.content.decode()


def test_the_join_link_shows_to_those_going_from_15_minutes_before(db):
    event = make_event(kind="online", join_url="https://meet.example.org/room-42", starts_in=timedelta(hours=3))
    going, other = UserFactory.create_batch(2)
    services.rsvp_set(event=event, member=going, status=Status.GOING)
    assert "room-42" not in _client(going).get(f"/events/{event.pk}/").content.decode()
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() + timedelta(minutes=10),
                                             ends_at=timezone.now() + timedelta(hours=1))
    assert "room-42" in _client(going).get(f"/events/{event.pk}/").content.decode()
    assert "room-42" not in _client(other).get(f"/events/{event.pk}/").content.decode()
    assert "room-42" not in _client().get(f"/events/{event.pk}/").content.decode()


# -- check-in ---------------------------------------------------------------------------------------

def test_the_host_checks_in_with_one_tap_and_nobody_else_can(db):
    host = UserFactory(tier=Tier.CHAMPION)
    event = make_event(host=host)
    guest, stranger = UserFactory.create_batch(2)
    services.rsvp_set(event=event, member=guest, status=Status.GOING)
    _started(event)
    assert _client(stranger).post(f"/events/{event.pk}/check-in/", {"member": guest.pk}).status_code == 403
    assert _client(guest).post(f"/events/{event.pk}/check-in/", {"member": guest.pk}).status_code == 403
    assert RSVP.objects.get(member=guest).checked_in_at is None
    row = _client(host).post(f"/events/{event.pk}/check-in/", {"member": guest.pk}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "checked-in" in row.content.decode()
    assert RSVP.objects.get(member=guest).checked_in_by == host
    _counts_match(event)
    again = _client(host).post(f"/events/{event.pk}/check-in/", {"member": guest.pk}, follow=True)
    assert "already checked in" in again.content.decode()


def test_a_signed_ticket_checks_in_once_and_forged_or_foreign_codes_are_refused(db):
    host = make_manager()
    event, other_event = make_event(host=host), make_event(host=host)
    guest = UserFactory()
    services.rsvp_set(event=event, member=guest, status=Status.GOING)
    _started(event)
    code = services.ticket_code(event, guest)
    page = _client(host).get(f"/events/{event.pk}/check-in/{code}/")
    assert page.status_code == 200 and guest.name in page.content.decode()
    forged = code[:-3] + ("abc" if not code.endswith("abc") else "xyz")
    for bad, says in ((forged, "not valid"), (services.ticket_code(other_event, guest), "another event")):
        refused = _client(host).post(f"/events/{event.pk}/check-in/{bad}/")
        assert refused.status_code == 400 and says in refused.content.decode()
    assert RSVP.objects.get(member=guest).checked_in_at is None
    assert _client(guest).post(f"/events/{event.pk}/check-in/{code}/").status_code == 403
    assert _client(host).post(f"/events/{event.pk}/check-in/{code}/").status_code == 200
    assert RSVP.objects.get(member=guest).checked_in_at is not None
    replayed = _client(host).post(f"/events/{event.pk}/check-in/{code}/")
    assert replayed.status_code == 400 and "already checked in" in replayed.content.decode()
    _counts_match(event)


def test_check_in_is_refused_outside_the_event_and_for_members_not_going(db):
    event = make_event()
    maybe = UserFactory()
    services.rsvp_set(event=event, member=maybe, status=Status.MAYBE)
    with pytest.raises(ValidationError, match="opens two hours before"):
        services.check_in(event=event, member_id=maybe.pk, by=event.host)
    _started(event)
    with pytest.raises(ValidationError, match="not on the going list"):
        services.check_in(event=event, member_id=maybe.pk, by=event.host)
    assert not RSVP.objects.filter(checked_in_at__isnull=False).exists()


def test_attendance_and_no_shows_for_the_host_and_managers_only(db):
    host = UserFactory(tier=Tier.CHAMPION)
    event = make_event(host=host)
    people = UserFactory.create_batch(4)
    for member in people:
        services.rsvp_set(event=event, member=member, status=Status.GOING)
    _started(event)
    services.check_in(event=event, member_id=people[0].pk, by=host)
    page = _client(host).get(f"/events/{event.pk}/").content.decode()
    assert "1 of 4 going checked in" in page and "No-shows: 3 (75%)" in page
    assert "No-shows" not in _client(people[1]).get(f"/events/{event.pk}/").content.decode()
    assert _client(people[1]).get(f"/events/{event.pk}/attendees/").status_code == 403


# -- reminders and notices --------------------------------------------------------------------------

def test_reminders_go_once_per_member_and_kind_whatever_how_often_the_job_runs(db):
    tomorrow = make_event(starts_in=timedelta(hours=20))
    soon = make_event(starts_in=timedelta(minutes=40))
    later = make_event(starts_in=timedelta(days=3))
    going, maybe, no = UserFactory.create_batch(3)
    for event in (tomorrow, soon, later):
        services.rsvp_set(event=event, member=going, status=Status.GOING)
        services.rsvp_set(event=event, member=maybe, status=Status.MAYBE)
        services.rsvp_set(event=event, member=no, status=Status.NO)
    assert tasks.send_reminders() == 4
    assert tasks.send_reminders() == 0
    assert set(Reminder.objects.values_list("event_id", "kind").distinct()) == {(tomorrow.pk, "day"), (soon.pk, "hour")}
    assert Notification.objects.filter(recipient=no).count() == 0
    assert Notification.objects.filter(recipient=going, kind=Kind.EVENT).count() == 2


def test_cancelling_tells_everyone_who_answered_once(db):
    event = make_event()
    going, waiting_host = UserFactory(), event.host
    services.rsvp_set(event=event, member=going, status=Status.GOING)
    services.event_cancel(event=event, reason="The hall is flooded")
    assert tasks.tell_event_cancelled(event.pk) == 1
    assert tasks.tell_event_cancelled(event.pk) == 0
    notice = Notification.objects.get(recipient=going)
    assert notice.message["args"]["reason"] == "The hall is flooded"
    assert not Notification.objects.filter(recipient=waiting_host).exists()


# -- calendar files and the month ------------------------------------------------------------------

def test_an_event_as_an_ics_file(db):
    event = make_event(title="Tea, cakes; and \\ talk", starts_in=timedelta(days=2))
    response = _client().get(f"/events/{event.pk}/event.ics")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in text and "SUMMARY:Tea\\, cakes\\; and \\\\ talk" in text
    assert f"DTSTART:{event.starts_at.strftime('%Y%m%dT%H%M')}" in text and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_the_personal_feed_lists_my_events_and_a_reset_revokes_it(db):
    mine, other = make_event(title="Mine"), make_event(title="Not mine")
    member = UserFactory()
    services.rsvp_set(event=mine, member=member, status=Status.GOING)
    services.rsvp_set(event=other, member=member, status=Status.MAYBE)
    token = services.feed_of(member).token
    feed = _client().get(f"/events/feed/{token}.ics").content.decode()
    assert "SUMMARY:Mine" in feed and "Not mine" not in feed
    assert _client(member).post("/events/feed/reset/").status_code == 302
    assert _client().get(f"/events/feed/{token}.ics").status_code == 404
    assert _client().get(f"/events/feed/{services.feed_of(member).token}.ics").status_code == 200


def test_the_month_shows_events_and_only_the_birthdays_members_chose_to_show(db):
    event = make_event(title="Monthly meetup", starts_in=timedelta(days=1))
    shown, hidden = UserFactory(display_name="Shown Person"), UserFactory(display_name="Hidden Person")
    day = event.starts_at.date()
    Profile.objects.create(user=shown, birthday_day=day.day, birthday_month=day.month, show_birthday=True)
    Profile.objects.create(user=hidden, birthday_day=day.day, birthday_month=day.month)
    page = _client(UserFactory()).get(f"/events/calendar/?month={day:%Y-%m}").content.decode()
    assert "Monthly meetup" in page and "Shown Person" in page and "Hidden Person" not in page
    assert "Shown Person" not in _client().get(f"/events/calendar/?month={day:%Y-%m}").content.decode()


def test_participation_figures(db):
    host = make_manager()
    event = make_event(host=host)
    people = UserFactory.create_batch(3)
    for member in people:
        services.rsvp_set(event=event, member=member, status=Status.GOING)
    _started(event)
    services.check_in(event=event, member_id=people[0].pk, by=host)
    now = timezone.now()
    found = figures.participation(now - timedelta(days=7), now, now=now)
    assert (found["events"], found["going"], found["checked_in"], found["no_shows"]) == (1, 3, 1, 2)
    assert found["attendance_rate"] == pytest.approx(1 / 3)


def test_ics_text_escapes_and_folds():
    assert ics._escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ics._fold("X" * 200)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))



def test_a_member_chooses_to_show_their_birthday_in_settings(db):
    member = UserFactory(display_name="Birthday Person")
    today = timezone.localdate()
    data = {"display_name": "Birthday Person", "timezone": "UTC", "birthday_day": today.day, "birthday_month": today.month}
    _client(member).post("/settings/", data)
    calendar = f"/events/calendar/?month={today:%Y-%m}"
    assert "Birthday Person" not in _client(UserFactory()).get(calendar).content.decode()
    _client(member).post("/settings/", {**data, "show_birthday": "on"})
    assert Profile.objects.get(user=member).show_birthday
    assert "Birthday Person" in _client(UserFactory()).get(calendar).content.decode()


def test_a_member_checked_in_keeps_their_answer(db):
    event = make_event()
    guest = UserFactory()
    services.rsvp_set(event=event, member=guest, status=Status.GOING)
    services.check_in(event=_started(event), member_id=guest.pk, by=event.host)
    with pytest.raises(ValidationError, match="checked in"):
        services.rsvp_set(event=event, member=guest, status=Status.NO)
    assert RSVP.objects.get(member=guest).status == Status.GOING


def test_the_month_shows_join_anniversaries_to_members_a_few_a_day(db):
    today = timezone.localdate()
    joined = timezone.now().replace(year=today.year - 2)
    for n in range(5):
        UserFactory(display_name=f"Veteran {n}", date_joined=joined)
    UserFactory(display_name="Joined This Year", date_joined=timezone.now())
    page = _client(UserFactory(date_joined=timezone.now())).get(f"/events/calendar/?month={today:%Y-%m}").content.decode()
    assert page.count("(2 years)") == 3 and "and 2 more anniversaries" in page and "Joined This Year" not in page
    assert "Veteran" not in _client().get(f"/events/calendar/?month={today:%Y-%m}").content.decode()


def test_the_dashboard_participation_section_fills_in(db):
    host = make_manager()
    event = make_event(host=host)
    people = UserFactory.create_batch(4)
    for member in people:
        services.rsvp_set(event=event, member=member, status=Status.GOING)
    _started(event)
    for member in people[:3]:
        services.check_in(event=event, member_id=member.pk, by=host)
    response = _client(host).get("/dashboard/?period=7&fresh=1")
    page = response.content.decode()
    assert 'id="participation-figures"' in page and 'id="no-events"' not in page
    participation = response.context["participation"]
    assert (participation["events"]["value"], participation["going"]["value"], participation["checked_in"]["value"],
            participation["no_shows"]["value"]) == (1, 4, 3, 1)
    assert participation["attendance_rate"]["value"] == pytest.approx(0.75)


def test_a_moved_or_renamed_event_updates_its_discussion_and_tells_who_answered(db):
    event = make_event(title="Board games night")
    guest = UserFactory()
    services.rsvp_set(event=event, member=guest, status=Status.GOING)
    later = event.starts_at + timedelta(days=1)
    response = _client(event.host).post(f"/events/{event.pk}/edit/", {
        "title": "Board games night (moved)", "description": "We meet and talk.", "kind": "offline",
        "category": event.category_id, "starts_at": later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (later + timedelta(hours=2)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M"), "time_zone": "UTC",
        "venue": "Café Central"})
    assert response.status_code == 302
    thread = Thread.objects.get(pk=event.thread_id)
    opening = thread.posts.get(number=1)
    from django.utils import formats

    assert thread.title == "Board games night (moved)"
    assert formats.date_format(later.astimezone(UTC), "DATETIME_FORMAT") in opening.body
    assert opening.revisions.count() == 1  # the earlier text is kept
    stamp = Event.objects.get(pk=event.pk).updated_at
    assert tasks.tell_event_changed(event.pk, f"{stamp:%Y%m%d%H%M%S%f}") == 1
    assert "changed" in Notification.objects.get(recipient=guest, kind=Kind.EVENT).message["text"]


def test_the_event_page_shows_the_events_own_clock_beside_the_readers(db):
    event = make_event(time_zone="Europe/Moscow", starts_in=timedelta(days=2))
    start = event.starts_at.astimezone(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    reader = UserFactory(timezone="UTC")
    page = _client(reader).get(f"/events/{event.pk}/").content.decode()
    # 15:00 UTC is 18:00 in Moscow: the reader sees both clocks, each right.
    assert "15:00</time> – 17:00" in page and "18:00 – 20:00 Europe/Moscow" in page
