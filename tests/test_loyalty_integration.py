"""Reply → points → badge → notification, and hide → points back → un-hide, through a real Celery worker on Redis."""

from community.notifications.models import Kind, Notification
from loyalty.models import BadgeAward, LoyaltyAccount, Reason
from tests.conftest import wait_for
from tests.factories import CategoryFactory, UserFactory, make_reply, make_thread


def test_a_first_reply_to_a_newcomer_earns_points_a_badge_and_a_notification(celery_worker):
    newcomer = UserFactory(username="nell", tier=0)
    helper = UserFactory(username="hal")
    thread = make_thread(author=newcomer, category=CategoryFactory(), title="Where do I start?")
    make_reply(thread=thread, author=helper, body="Start with the tutorial!")

    account = wait_for(lambda: LoyaltyAccount.objects.filter(member=helper, balance__gte=11).first())
    assert account.balance == 11  # 1 for the reply, 10 for the first reply to a newcomer
    assert set(helper.points_entries.values_list("reason", flat=True)) == {Reason.REPLY_POSTED, Reason.FIRST_REPLY_TO_NEWCOMER}
    wait_for(lambda: BadgeAward.objects.filter(member=helper, badge__slug="first-reply-to-newcomer").exists())
    wait_for(lambda: Notification.objects.filter(recipient=helper, kind=Kind.BADGE).count() >= 2)
    assert wait_for(lambda: LoyaltyAccount.objects.filter(member=newcomer, balance=2).exists())


def test_hiding_a_first_reply_takes_its_points_and_bonus_back_and_showing_it_returns_them(celery_worker):
    from forums import services as forum_services

    newcomer, helper = UserFactory(username="nell", tier=0), UserFactory(username="hal")
    thread = make_thread(author=newcomer, category=CategoryFactory(), title="Where do I start?")
    reply = make_reply(thread=thread, author=helper, body="Start with the tutorial!")
    wait_for(lambda: LoyaltyAccount.objects.filter(member=helper, balance=11).exists())
    forum_services.post_hide(post=reply, reason="spam")
    wait_for(lambda: LoyaltyAccount.objects.filter(member=helper, balance=0).exists())
    forum_services.post_unhide(post=reply)
    wait_for(lambda: LoyaltyAccount.objects.filter(member=helper, balance=11).exists())
    # Two jobs settle a hide (the hide's own, and "first response changed"): whichever runs first does the work.
    assert sorted(helper.points_entries.values_list("reason", "amount")) == sorted([
        (Reason.REPLY_POSTED, 1), (Reason.FIRST_REPLY_TO_NEWCOMER, 10), (Reason.POST_HIDDEN, -1), (Reason.FIRST_REPLY_LOST, -10),
        (Reason.RESTORED, 1), (Reason.RESTORED, 10)])
