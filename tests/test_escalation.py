"""The escalation ladder per category: experts at once, managers and the category's moderators at half its
first-response target, breached at the target; one gathered notification per person per step, however often."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from community.members.models import Tier
from community.notifications.models import Kind, Notification
from community.triage import selectors
from community.triage.tasks import notify_target_breaches
from forums.models import Thread
from moderation import services as moderation
from tests.factories import CategoryFactory, UserFactory, make_manager, make_thread


def _waiting(category, hours):
    thread = make_thread(author=UserFactory(tier=Tier.NEWCOMER), category=category, title=f"Waiting {hours} h")
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return thread


def test_each_category_has_its_own_target_and_the_ladder_follows_it(db, settings):
    settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS = 4
    boss = make_manager()
    fast = CategoryFactory(name="Urgent", first_response_target_hours=2)
    slow = CategoryFactory(name="Slow")  # the site's 4 h
    here = moderation.grant_role(member=UserFactory(tier=Tier.REGULAR), category=fast, granted_by=boss).member
    elsewhere = moderation.grant_role(member=UserFactory(tier=Tier.REGULAR), category=slow, granted_by=boss).member
    everywhere = moderation.grant_role(member=UserFactory(tier=Tier.CHAMPION), granted_by=boss).member
    half = _waiting(fast, 1.5)       # past half of 2 h
    breached = _waiting(fast, 2.5)   # past 2 h
    calm = _waiting(slow, 1.5)       # under half of 4 h
    assert notify_target_breaches() == 2
    assert notify_target_breaches() == 2  # run again: nothing new
    for person in (boss, here, everywhere):
        half_note = Notification.objects.get(recipient=person, kind=Kind.QUEUE_HALF)
        over_note = Notification.objects.get(recipient=person, kind=Kind.QUEUE_OVERDUE)
        assert (half_note.gathered, half_note.count, over_note.gathered, over_note.count) == ([half.pk], 1, [breached.pk], 1)
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    client = Client()
    client.force_login(boss)
    page = client.get("/queue/").content.decode()
    assert "step 2: managers and moderators told (half the 2 h target)" in page
    assert "over the 2 h first-response target" in page and "step 1: experts told (4 h target)" in page
    overdue_only = client.get("/queue/?overdue=on").content.decode()
    assert "Waiting 2.5 h" in overdue_only and "Waiting 1.5 h" not in overdue_only
    assert selectors.queue_counts()["overdue"] == 1
    assert calm.pk not in {row.pk for row in selectors.newcomer_queue(
        member=boss, filters=selectors.QueueFilters(overdue_only=True))[0]}


def test_a_category_target_is_a_setting_with_limits(db):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        CategoryFactory.build(name="Too fast", slug="too-fast", first_response_target_hours=0.1).full_clean()
    assert "first_response_target_hours" in refused.value.message_dict
    CategoryFactory.build(name="Fine", slug="fine", first_response_target_hours=2).full_clean()


def _answered(category, *, waited_hours, newcomer=None):
    """A newcomer thread started yesterday and answered `waited_hours` later (dates set on the rows)."""
    from forums.models import Post
    from tests.factories import make_reply

    thread = make_thread(author=newcomer or UserFactory(tier=Tier.NEWCOMER), category=category, title=f"Answered in {waited_hours} h")
    reply = make_reply(thread=thread, author=UserFactory(tier=Tier.REGULAR))
    started = timezone.now() - timedelta(days=1)
    Thread.objects.filter(pk=thread.pk).update(created_at=started, first_response_at=started + timedelta(hours=waited_hours))
    Post.objects.filter(pk=reply.pk).update(created_at=started + timedelta(hours=waited_hours))
    return thread


def test_answered_within_target_measures_each_thread_against_its_categorys_own_target(db, settings):
    # Found after the ladder: the dashboard and the queue still measured every thread against the site's 4 h.
    from forums import figures as forum_figures

    settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS = 4
    urgent = CategoryFactory(name="Urgent", first_response_target_hours=1)
    patient = CategoryFactory(name="Patient", first_response_target_hours=8)
    _answered(urgent, waited_hours=2)    # late for 1 h, within the site's 4 h
    _answered(patient, waited_hours=6)   # within 8 h, late for the site's 4 h
    _answered(CategoryFactory(name="Plain"), waited_hours=3)  # the site's 4 h: within
    now = timezone.now()
    response = forum_figures.first_response(now - timedelta(days=7), now, now=now, target=timedelta(hours=4))
    assert (response["threads"], response["within_target"]) == (3, 2)
    by_category = {row[0]: row[3] for row in forum_figures.first_response_by_category(
        now - timedelta(days=7), now, now=now, target=timedelta(hours=4))}
    assert (by_category[urgent.pk], by_category[patient.pk]) == (0, 1)
    queue_figures = selectors.response_figures()[(7, "newcomers")]
    assert (queue_figures.due, queue_figures.within_target) == (3, 2)


def test_the_funnel_splits_by_a_first_reply_within_the_categorys_own_target(db, settings):
    from community.health import selectors as health

    settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS = 4
    late_for_urgent = UserFactory(tier=Tier.NEWCOMER)
    in_time_for_patient = UserFactory(tier=Tier.NEWCOMER)
    _answered(CategoryFactory(name="Urgent", first_response_target_hours=1), waited_hours=2, newcomer=late_for_urgent)
    _answered(CategoryFactory(name="Patient", first_response_target_hours=8), waited_hours=6, newcomer=in_time_for_patient)
    fast = {row["pk"]: row["fast"] for row in health.journeys(health.period_of(7)).values("pk", "fast")}
    assert (fast[late_for_urgent.pk], fast[in_time_for_patient.pk]) == (False, True)
