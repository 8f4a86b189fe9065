"""Reply → points → badge → notification, through a real Celery worker on Redis."""

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
