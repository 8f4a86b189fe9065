"""A buddy for a newcomer's first two weeks: matching, caps, opting out and rematching, hearing of posts, the jobs, the page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.buddies import selectors, services, tasks
from community.buddies.models import BuddyMatch, BuddyVolunteer
from community.members.models import Tier
from community.members.services import profile_update
from community.notifications.models import Kind, Notification
from community.notifications.selectors import target_url
from forums import services as forum_services
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_newcomer, make_reply, make_thread, make_volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    return {name: TagFactory(name=name) for name in ("python", "django", "postgres", "css")}


def _open(newcomer):
    return BuddyMatch.objects.filter(newcomer=newcomer, ended_at__isnull=True)


def _buddy_notes(member):
    return Notification.objects.filter(recipient=member, kind=Kind.BUDDY)


# -- matching -------------------------------------------------------------------------------------------

def test_matching_prefers_the_volunteer_who_shares_most_interests(tags):
    make_volunteer(tags=[tags["css"]])
    one = make_volunteer(tags=[tags["python"]])
    two = make_volunteer(tags=[tags["python"], tags["django"]])
    newcomer = make_newcomer(interests=[tags["python"], tags["django"], tags["postgres"]])

    match = services.match_newcomer(newcomer=newcomer)

    assert match.buddy == two.member and one.member != match.buddy
    assert match.ends_at - match.matched_at == timedelta(days=14)


def test_between_equal_interests_the_least_loaded_volunteer_is_chosen(tags):
    busy = make_volunteer(tags=[tags["python"]])
    idle = make_volunteer(tags=[tags["python"]])
    services.match_newcomer(newcomer=make_newcomer(interests=[tags["css"]]))  # no one shares css: the oldest, busy
    assert _open(BuddyMatch.objects.get().newcomer).get().buddy == busy.member

    match = services.match_newcomer(newcomer=make_newcomer(interests=[tags["python"]]))

    assert match.buddy == idle.member


def test_shared_interests_win_over_a_lighter_load(tags):
    sharing = make_volunteer(tags=[tags["python"]], cap=5)
    other = make_volunteer(tags=[tags["css"]], cap=5)
    for _ in range(2):
        services.match_newcomer(newcomer=make_newcomer(interests=[tags["python"]]))
    assert selectors.newcomers_of(sharing.member).__len__() == 2

    assert services.match_newcomer(newcomer=make_newcomer(interests=[tags["python"]])).buddy == sharing.member
    assert services.match_newcomer(newcomer=make_newcomer()).buddy == other.member  # no interests: least loaded


def test_a_volunteer_at_their_cap_gets_no_more_newcomers(tags):
    volunteer = make_volunteer(tags=[tags["python"]], cap=2)
    newcomers = [make_newcomer(interests=[tags["python"]]) for _ in range(3)]

    matches = [services.match_newcomer(newcomer=n) for n in newcomers]

    assert [m is not None for m in matches] == [True, True, False]
    assert len(selectors.newcomers_of(volunteer.member)) == 2
    assert not _open(newcomers[2]).exists()


def test_nobody_free_leaves_the_newcomer_waiting_and_a_later_run_matches_them(tags):
    newcomer = make_newcomer(interests=[tags["python"]])
    assert services.match_newcomer(newcomer=newcomer) is None  # no volunteer at all: no error
    volunteer = make_volunteer(tags=[tags["css"]])

    assert services.match_newcomer(newcomer=newcomer).buddy == volunteer.member


def test_a_newcomer_is_never_their_own_buddy_nor_matched_past_their_first_two_weeks(tags):
    admin = UserFactory(tier=Tier.NEWCOMER, is_superuser=True)  # a newcomer who may volunteer (all perks)
    make_volunteer(member=admin, tags=[tags["python"]])
    assert services.match_newcomer(newcomer=admin) is None
    make_volunteer(tags=[tags["python"]])
    late = make_newcomer(interests=[tags["python"]], joined=timezone.now() - timedelta(days=15))
    assert services.match_newcomer(newcomer=late) is None


def test_volunteers_who_may_not_be_buddies_are_never_chosen(tags):
    silenced = make_volunteer(tags=[tags["python"]])
    type(silenced.member).objects.filter(pk=silenced.member_id).update(silenced_until=timezone.now() + timedelta(days=1))
    demoted = make_volunteer(tags=[tags["python"]])
    type(demoted.member).objects.filter(pk=demoted.member_id).update(tier=Tier.MEMBER)

    assert services.match_newcomer(newcomer=make_newcomer(interests=[tags["python"]])) is None


def test_both_are_told_of_a_match_and_the_notice_leads_to_the_buddies_page(tags):
    volunteer = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]], display_name="Nell New")

    services.match_newcomer(newcomer=newcomer)

    told_newcomer, told_buddy = _buddy_notes(newcomer).get(), _buddy_notes(volunteer.member).get()
    assert told_newcomer.actor == volunteer.member and told_buddy.actor == newcomer
    assert target_url(told_newcomer) == reverse("buddies:home") == target_url(told_buddy)
    from community.templatetags.community_tags import notification_message

    assert volunteer.member.name in notification_message(told_newcomer) and "Nell New" in notification_message(told_buddy)


def test_matching_run_twice_doubles_nothing(tags):
    volunteer = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]])

    services.match_newcomer(newcomer=newcomer)
    assert services.match_newcomer(newcomer=newcomer) is None
    tasks.match_on_interests(newcomer.pk)
    services.match_waiting_newcomers(now=timezone.now() + timedelta(days=2))

    assert BuddyMatch.objects.count() == 1
    assert _buddy_notes(newcomer).count() == 1 and _buddy_notes(volunteer.member).count() == 1


# -- when matching happens -------------------------------------------------------------------------------

def test_saving_interests_finds_the_newcomer_a_buddy_who_shares_them(tags):
    make_volunteer(tags=[tags["css"]])
    sharing = make_volunteer(tags=[tags["django"]])
    newcomer = make_newcomer()
    profile_update(member=newcomer, display_name="", language="", timezone="UTC", bio="", interests=[tags["django"]],
                   birthday_day=None, birthday_month=None)

    assert tasks.match_on_interests(newcomer.pk) is True
    assert _open(newcomer).get().buddy == sharing.member


def test_saving_a_profile_without_interests_matches_nobody(tags):
    make_volunteer(tags=[tags["css"]])
    newcomer = make_newcomer()
    assert tasks.match_on_interests(newcomer.pk) is False
    assert not _open(newcomer).exists()


def test_the_first_post_finds_the_newcomer_a_buddy_who_hears_of_it(tags):
    volunteer = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer()
    thread = make_thread(author=newcomer, category=CategoryFactory(), title="My first question here")

    assert tasks.newcomer_posted(thread.posts.get().pk) is True

    assert _open(newcomer).get().buddy == volunteer.member
    heard = _buddy_notes(volunteer.member).get(post__isnull=False)
    assert heard.thread == thread and target_url(heard) == reverse("forums:post", args=[heard.post_id])


def test_a_members_post_matches_nobody(tags):
    make_volunteer(tags=[tags["python"]])
    member = UserFactory(tier=Tier.MEMBER)
    thread = make_thread(author=member, category=CategoryFactory())
    assert tasks.newcomer_posted(thread.posts.get().pk) is False
    assert not BuddyMatch.objects.exists()


def test_the_hourly_job_matches_verified_newcomers_still_without_a_buddy_a_day_after_joining(tags):
    volunteer = make_volunteer(tags=[tags["python"]], cap=5)
    now = timezone.now()
    waiting = make_newcomer(joined=now - timedelta(hours=25))
    too_fresh = make_newcomer(joined=now - timedelta(hours=2))
    too_old = make_newcomer(joined=now - timedelta(days=15))
    unverified = make_newcomer(joined=now - timedelta(hours=30))
    unverified.emailaddress_set.update(verified=False)

    assert services.match_waiting_newcomers(now=now) == 1

    assert _open(waiting).get().buddy == volunteer.member
    assert not BuddyMatch.objects.filter(newcomer__in=[too_fresh, too_old, unverified]).exists()
    assert services.match_waiting_newcomers(now=now) == 0


# -- opting out, losing eligibility ----------------------------------------------------------------------

def test_opting_out_ends_the_matches_and_rematches_each_newcomer_who_is_told_their_new_buddy(tags):
    leaving = make_volunteer(tags=[tags["python"]])
    staying = make_volunteer(tags=[tags["css"]])
    newcomers = [make_newcomer(interests=[tags["python"]]) for _ in range(2)]
    first = [services.match_newcomer(newcomer=n) for n in newcomers]
    assert {m.buddy for m in first} == {leaving.member}

    rematched = services.volunteer_opt_out(member=leaving.member)

    assert {m.buddy for m in rematched} == {staying.member} and len(rematched) == 2
    for old, new in zip(first, sorted(rematched, key=lambda m: m.newcomer_id), strict=True):
        old.refresh_from_db()
        assert old.ended_reason == BuddyMatch.EndedReason.BUDDY_OPTED_OUT and old.ended_at is not None
        assert new.ends_at == old.ends_at  # the newcomer's fortnight goes on, not a new one
        told = _buddy_notes(new.newcomer).get(dedupe_key=f"buddy:match:{new.pk}")
        from community.templatetags.community_tags import notification_message

        assert staying.member.name in notification_message(told) and leaving.member.name in notification_message(told)
    assert BuddyVolunteer.objects.get(member=leaving.member).is_active is False
    assert services.volunteer_opt_out(member=leaving.member) == []  # twice: nothing more


def test_opting_out_with_nobody_free_tells_the_newcomer_and_the_hourly_job_finds_another_later(tags):
    leaving = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]], joined=timezone.now() - timedelta(days=2))
    services.match_newcomer(newcomer=newcomer)

    assert services.volunteer_opt_out(member=leaving.member) == []
    assert _buddy_notes(newcomer).filter(dedupe_key__startswith="buddy:lost:").count() == 1
    later = make_volunteer(tags=[tags["css"]])
    services.match_waiting_newcomers()

    assert _open(newcomer).get().buddy == later.member


def test_opting_in_again_after_opting_out_makes_one_a_buddy_again(tags):
    volunteer = make_volunteer(tags=[tags["python"]])
    services.volunteer_opt_out(member=volunteer.member)
    services.volunteer_opt_in(member=volunteer.member, interests=[tags["css"]], cap=4)
    again = BuddyVolunteer.objects.get(member=volunteer.member)
    assert again.is_active and again.opted_out_at is None and again.cap == 4
    assert list(again.interests.values_list("name", flat=True)) == ["css"]


def test_a_volunteer_who_loses_eligibility_stops_and_their_newcomers_are_rematched(tags):
    sanctioned = make_volunteer(tags=[tags["python"]])
    other = make_volunteer(tags=[tags["css"]])
    newcomer = make_newcomer(interests=[tags["python"]])
    services.match_newcomer(newcomer=newcomer)
    type(sanctioned.member).objects.filter(pk=sanctioned.member_id).update(suspended_until=timezone.now() + timedelta(days=3))

    services.match_waiting_newcomers()

    assert _open(newcomer).get().buddy == other.member
    assert BuddyMatch.objects.get(buddy=sanctioned.member).ended_reason == BuddyMatch.EndedReason.BUDDY_INELIGIBLE
    assert not BuddyVolunteer.objects.get(member=sanctioned.member).is_active


# -- the buddy hears of posts ----------------------------------------------------------------------------

def test_the_buddy_hears_of_each_post_once_even_when_the_job_runs_twice(tags):
    volunteer = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]])
    services.match_newcomer(newcomer=newcomer)
    thread = make_thread(author=UserFactory(), category=CategoryFactory(), title="Someone else's thread")
    reply = make_reply(thread=thread, author=newcomer)

    assert tasks.newcomer_posted(reply.pk) is True
    assert tasks.newcomer_posted(reply.pk) is False

    assert _buddy_notes(volunteer.member).filter(post=reply).count() == 1


def test_the_buddy_hears_of_posts_only_during_the_two_weeks(tags):
    make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]])
    match = services.match_newcomer(newcomer=newcomer)
    thread = make_thread(author=UserFactory(), category=CategoryFactory())
    inside, outside = make_reply(thread=thread, author=newcomer), make_reply(thread=thread, author=newcomer)
    type(outside).objects.filter(pk=outside.pk).update(created_at=match.ends_at + timedelta(minutes=1))
    services.matches_complete(now=match.ends_at + timedelta(minutes=2))

    assert tasks.newcomer_posted(inside.pk) is True  # a late job still goes by the post's time
    assert tasks.newcomer_posted(outside.pk) is False


def test_a_buddy_who_left_hears_of_no_more_posts(tags):
    leaving = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]])
    services.match_newcomer(newcomer=newcomer)
    services.volunteer_opt_out(member=leaving.member)
    thread = make_thread(author=newcomer, category=CategoryFactory())

    tasks.newcomer_posted(thread.posts.get().pk)

    assert not _buddy_notes(leaving.member).filter(post__isnull=False).exists()


def test_the_buddy_does_not_hear_of_a_hidden_post(tags):
    volunteer = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]])
    services.match_newcomer(newcomer=newcomer)
    reply = make_reply(thread=make_thread(author=UserFactory(), category=CategoryFactory()), author=newcomer)
    forum_services.post_hide(post=reply, reason="flagged")

    assert tasks.newcomer_posted(reply.pk) is False
    assert not _buddy_notes(volunteer.member).filter(post=reply).exists()


# -- what loyalty asks ----------------------------------------------------------------------------------

def test_buddy_at_tier_1_is_the_open_match_then_the_completed_one_and_never_a_buddy_who_left(tags):
    newcomer = make_newcomer(interests=[tags["python"]])
    assert selectors.buddy_at_tier_1(newcomer.pk) is None and selectors.match_of(newcomer.pk) is None
    leaving = make_volunteer(tags=[tags["python"]])
    first = services.match_newcomer(newcomer=newcomer)
    assert selectors.buddy_at_tier_1(newcomer.pk) == leaving.member_id and selectors.match_of(newcomer.pk) == first
    services.volunteer_opt_out(member=leaving.member)
    assert selectors.buddy_at_tier_1(newcomer.pk) is None  # nobody took over: the leaver earns nothing
    staying = make_volunteer(tags=[tags["css"]])
    second = services.match_newcomer(newcomer=newcomer)
    services.matches_complete(now=second.ends_at + timedelta(seconds=1))

    assert selectors.match_of(newcomer.pk) == second
    assert selectors.buddy_at_tier_1(newcomer.pk) == staying.member_id


# -- the page -------------------------------------------------------------------------------------------

def test_a_regular_opts_in_with_topics_and_a_cap_and_sees_their_newcomers(client, tags):
    regular = UserFactory(tier=Tier.REGULAR)
    client.force_login(regular)
    response = client.post(reverse("buddies:volunteer"), {"interests": "python, django", "cap": "2"})
    assert response.status_code == 302
    volunteer = BuddyVolunteer.objects.get(member=regular)
    assert volunteer.cap == 2 and set(volunteer.interests.values_list("name", flat=True)) == {"python", "django"}
    newcomer = make_newcomer(interests=[tags["python"]], display_name="Nell New")
    services.match_newcomer(newcomer=newcomer)
    make_thread(author=newcomer, category=CategoryFactory())

    page = client.get(reverse("buddies:home")).content.decode()

    assert "Nell New" in page and 'id="my-newcomers"' in page and "Stop being a buddy" in page
    assert "<td>1</td>" in page  # one post so far


def test_bad_input_re_renders_the_form_with_a_clear_message_and_keeps_what_was_typed(client, tags):
    client.force_login(UserFactory(tier=Tier.REGULAR))
    response = client.post(reverse("buddies:volunteer"), {"interests": "python, nosuchtag", "cap": "99"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Unknown tags: nosuchtag" in page and "python, nosuchtag" in page and 'value="99"' in page
    response = client.post(reverse("buddies:volunteer"), {"interests": "", "cap": "x"})
    assert "Choose at least one tag" in response.content.decode() and "Write a whole number" in response.content.decode()
    assert not BuddyVolunteer.objects.exists()


def test_a_member_below_tier_2_is_refused_and_told_what_unlocks_it(client):
    member = UserFactory(tier=Tier.MEMBER)
    client.force_login(member)
    response = client.post(reverse("buddies:volunteer"), {"interests": "python", "cap": "2"})
    assert response.status_code == 403 and "tier 2" in response.content.decode()
    page = client.get(reverse("buddies:home")).content.decode()
    assert "Members from tier 2 (Regular) can offer to be buddies" in page and 'action="/buddies/volunteer/"' not in page


def test_a_newcomer_sees_their_buddy_on_the_page_and_on_the_first_steps_card(client, tags):
    volunteer = make_volunteer(tags=[tags["python"]], display_name="Bea Buddy")
    newcomer = make_newcomer(interests=[tags["python"]])
    services.match_newcomer(newcomer=newcomer)
    client.force_login(newcomer)

    page = client.get(reverse("buddies:home")).content.decode()
    home = client.get("/").content.decode()

    assert 'id="my-buddy"' in page and "Bea Buddy" in page
    assert 'id="first-steps-buddy"' in home and f"@{volunteer.member.username}" in home and 'href="/buddies/"' in home


def test_opting_out_from_the_page_rematches_and_says_so(client, tags):
    leaving = make_volunteer(tags=[tags["python"]])
    make_volunteer(tags=[tags["css"]])
    services.match_newcomer(newcomer=make_newcomer(interests=[tags["python"]]))
    client.force_login(leaving.member)

    response = client.post(reverse("buddies:opt_out"), follow=True)

    assert "You are no longer a buddy" in response.content.decode() and "have a new buddy" in response.content.decode()
    assert client.post(reverse("buddies:opt_out"), follow=True).content.decode().count("nothing to stop") == 1


def test_the_newcomers_page_runs_a_fixed_number_of_queries(client, tags, django_assert_max_num_queries):
    make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]])
    services.match_newcomer(newcomer=newcomer)
    client.force_login(newcomer)
    client.get(reverse("buddies:home"))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("buddies:home")).status_code == 200


def test_the_cap_cannot_go_below_the_newcomers_one_has_now(client, tags):
    volunteer = make_volunteer(tags=[tags["python"]], cap=3)
    for _ in range(2):
        services.match_newcomer(newcomer=make_newcomer(interests=[tags["python"]]))
    client.force_login(volunteer.member)

    response = client.post(reverse("buddies:volunteer"), {"interests": "python", "cap": "1"})

    assert response.status_code == 400 and "buddy of 2 newcomers now" in response.content.decode()
    assert BuddyVolunteer.objects.get(pk=volunteer.pk).cap == 3


def test_the_demo_has_buddies_and_the_demo_newcomer_has_one(tags):
    import random

    from community.demo_buddies import seed_buddies

    expert = UserFactory(username="expert", tier=Tier.REGULAR)
    UserFactory(username="catmod", tier=Tier.REGULAR)
    for _ in range(3):
        UserFactory(tier=Tier.REGULAR)
    newcomer = make_newcomer(username="newcomer", joined=timezone.now() - timedelta(days=2))

    result = seed_buddies(now=timezone.now(), rng=random.Random(1))

    assert result == {"volunteers": 4, "matches": 1}
    assert _open(newcomer).get().buddy == expert
    assert set(BuddyVolunteer.objects.get(member=expert).interests.values_list("name", flat=True)) == {"python", "django", "postgres"}


# -- the buddy's points when their newcomer reaches tier 1 (loyalty) ------------------------------------

def test_a_newcomer_reaching_tier_1_earns_their_buddy_points_and_a_thank_you_once(tags, monkeypatch):
    from loyalty import tasks as loyalty_tasks
    from loyalty import tiers
    from loyalty.models import PointsEntry, Reason

    volunteer = make_volunteer(tags=[tags["python"]])
    newcomer = make_newcomer(interests=[tags["python"]], display_name="Nell")
    services.match_newcomer(newcomer=newcomer)
    monkeypatch.setattr(tiers, "computed_tier", lambda *args, **kwargs: Tier.MEMBER)  # the first steps and 3 days, as if done
    loyalty_tasks.refresh_standing(newcomer.pk, force=True)
    loyalty_tasks.refresh_standing(newcomer.pk, force=True)  # run again: the tier stays, nothing new
    earned = PointsEntry.objects.filter(member=volunteer.member, reason=Reason.BUDDY_NEWCOMER_REACHED_TIER_1)
    assert [(entry.source_type, entry.source_id, entry.amount) for entry in earned] == [("buddy", str(newcomer.pk), 15)]
    note = _buddy_notes(volunteer.member).get(dedupe_key=f"buddy:tier-1:{newcomer.pk}")
    assert note.actor == newcomer
    client = Client()
    client.force_login(volunteer.member)
    assert "Nell, a newcomer you were a buddy to, reached tier 1 (Member): 15 points for you." in client.get("/notifications/").content.decode()
    loyalty_tasks.thank_the_buddy(newcomer)  # even told again, it pays and says it once
    assert earned.count() == 1 and _buddy_notes(volunteer.member).filter(dedupe_key__startswith="buddy:tier-1:").count() == 1


def test_a_newcomer_without_a_buddy_reaching_tier_1_pays_nobody(monkeypatch):
    from loyalty import tasks as loyalty_tasks
    from loyalty import tiers
    from loyalty.models import PointsEntry, Reason

    newcomer = make_newcomer()
    monkeypatch.setattr(tiers, "computed_tier", lambda *args, **kwargs: Tier.MEMBER)
    loyalty_tasks.refresh_standing(newcomer.pk, force=True)
    assert not PointsEntry.objects.filter(reason=Reason.BUDDY_NEWCOMER_REACHED_TIER_1).exists()
