"""Sanctions: silence and suspension with reasons and expiry, lifted by the beat job; deleting a spammer."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.members.models import User
from forums.models import Post, Thread
from loyalty import ledger
from loyalty.models import LoyaltyAccount
from moderation import services
from moderation.models import ModerationAction, Sanction
from tests.factories import UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_moderator(moderator, manager):
    services.grant_role(member=moderator, granted_by=manager)
    return User.objects.get(pk=moderator.pk)


def test_a_silenced_member_reads_but_cannot_post_and_sees_until_when(client, site_moderator, member, category):
    thread = make_thread(author=UserFactory(), category=category)
    client.force_login(site_moderator)
    client.post(reverse("moderation:sanction", args=[member.username]), {"kind": "silence", "days": "3", "reason": "Too heated"})
    member.refresh_from_db()
    assert member.is_silenced
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 200
    response = client.post(reverse("forums:reply", args=[thread.pk]), {"body": "let me in"})
    assert response.status_code == 403 and "read but not post until" in response.content.decode()
    assert client.get("/t/new/").status_code == 403
    assert Post.objects.filter(author=member).count() == 0
    assert "Too heated" in member.notifications.get().text


def test_a_suspended_member_is_signed_out_and_told_why(client, site_moderator, member):
    services.sanction(member=member, moderator=site_moderator, kind="suspend", reason="Spamming links", until=timezone.now() + timedelta(days=7))
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 403 and "Spamming links" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("kind, days, reason, target", [
    ("silence", -1, "too late", "member"), ("silence", 3, "x", "member"), ("ban", 3, "unknown kind", "member"),
    ("silence", 3, "admins are protected", "admin"), ("silence", 3, "managers too", "manager"),
])
def test_bad_sanctions_are_refused_and_change_nothing(site_moderator, member, admin, manager, kind, days, reason, target):
    people = {"member": member, "admin": admin, "manager": manager}
    # Who may be sanctioned is the permissions authority's refusal; what a sanction says is the service's.
    with pytest.raises((ValidationError, PermissionDenied)):
        services.sanction(member=people[target], moderator=site_moderator, kind=kind, reason=reason,
                          until=timezone.now() + timedelta(days=days))
    assert not Sanction.objects.exists() and not User.objects.filter(silenced_until__isnull=False).exists()


def test_category_moderators_and_members_cannot_sanction(client, member, other_member, manager, category):
    services.grant_role(member=other_member, category=category, granted_by=manager)
    client.force_login(other_member)
    assert client.post(reverse("moderation:sanction", args=[member.username]), {"kind": "silence", "days": "3", "reason": "no"}).status_code == 403
    assert not Sanction.objects.exists()


def test_expired_sanctions_are_lifted_by_the_beat_job(site_moderator, member):
    record = services.sanction(member=member, moderator=site_moderator, kind="silence", reason="Cool down", until=timezone.now() + timedelta(hours=1))
    assert services.lift_expired_sanctions() == 0
    Sanction.objects.filter(pk=record.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    User.objects.filter(pk=member.pk).update(silenced_until=timezone.now() - timedelta(seconds=1))
    assert services.lift_expired_sanctions() == 1
    member.refresh_from_db()
    assert not member.is_silenced and member.silenced_until is None
    assert ModerationAction.objects.filter(action="silence_lifted", target_id=member.pk).exists()


def test_deleting_a_spammer_hides_their_posts_takes_their_points_and_disables_them(manager, category):
    from loyalty.tasks import post_hidden

    spammer = UserFactory(username="spammy")
    thread = make_thread(author=spammer, category=category, title="Cheap watches")
    reply = make_reply(thread=make_thread(author=UserFactory(), category=category), author=spammer)
    for post in (thread.posts.get(), reply):
        ledger.award(member_id=spammer.pk, reason="reply_posted", source_type="post", source_id=post.pk)
    assert services.delete_spammer(member=spammer, manager=manager) == 2
    for post in Post.objects.filter(author=spammer):
        assert post.is_hidden
        post_hidden(post.pk)  # the job the hide signal enqueues
    spammer.refresh_from_db()
    assert not spammer.is_active and LoyaltyAccount.objects.get(member=spammer).balance == 0
    assert ModerationAction.objects.get(action="spammer_deleted").after == {"posts_hidden": 2, "is_active": False}
    assert Thread.objects.filter(pk=thread.pk).exists()


def test_only_managers_delete_spammers(client, site_moderator, member):
    client.force_login(site_moderator)
    assert client.post(reverse("moderation:spammer", args=[member.username])).status_code == 403
    member.refresh_from_db()
    assert member.is_active


def test_new_accounts_wait_for_approval_when_the_setting_says_so(client, settings, manager, category):
    from django.core import mail

    settings.MODERATION_APPROVE_NEW_MEMBERS = True
    client.post("/accounts/signup/", {"email": "new@example.org", "username": "freshie", "password1": "a-long-pass-phrase",
                                      "password2": "a-long-pass-phrase"})
    freshie = User.objects.get(username="freshie")
    assert freshie.awaiting_approval
    client.post(__import__("re").search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1))
    response = client.get("/t/new/")
    assert response.status_code == 403 and "looks at new accounts" in response.content.decode()
    client.force_login(manager)
    assert "freshie" in client.get("/review/").content.decode()
    client.post(reverse("moderation:new_member", args=["freshie", "approve"]))
    freshie.refresh_from_db()
    assert not freshie.awaiting_approval and ModerationAction.objects.filter(action="member_approved").exists()
    client.force_login(freshie)
    assert client.get("/t/new/").status_code == 200


def test_rejected_new_accounts_are_disabled(manager):
    waiting = UserFactory(username="bot123", awaiting_approval=True)
    services.decide_new_member(member=waiting, moderator=manager, approve=False, reason="bot")
    waiting.refresh_from_db()
    assert not waiting.is_active
    with pytest.raises(ValidationError):
        services.decide_new_member(member=waiting, moderator=manager, approve=True)


def test_a_sanction_is_remembered_for_tiers(site_moderator, member):
    services.sanction(member=member, moderator=site_moderator, kind="silence", reason="Cool down", until=timezone.now() + timedelta(days=1))
    member.refresh_from_db()
    assert member.last_sanctioned_at is not None


def test_the_sanction_end_is_told_in_the_members_time_zone_and_language(client, site_moderator, member, other_member):
    import zoneinfo
    from datetime import UTC, datetime

    from django.utils import translation

    until = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    member.language, member.timezone = "ru", "Europe/Moscow"
    member.save(update_fields=["language", "timezone"])
    other_member.timezone = "America/New_York"
    other_member.save(update_fields=["timezone"])
    site_moderator.language, site_moderator.timezone = "en", "Asia/Tokyo"  # the moderator's own choices do not leak
    site_moderator.save(update_fields=["language", "timezone"])
    # As in the moderator's request: their language and time zone are the active ones.
    with translation.override(site_moderator.language), timezone.override(zoneinfo.ZoneInfo(site_moderator.timezone)):
        services.sanction(member=member, moderator=site_moderator, kind="silence", reason="Остыньте", until=until)
        services.sanction(member=other_member, moderator=site_moderator, kind="suspend", reason="Spam", until=until)
    # What an email says is written in the member's language and zone…
    assert member.notifications.get().text == "Вы можете только читать до 1 марта 2030 г. 15:00: Остыньте"
    assert other_member.notifications.get().text == "You are suspended until March 1, 2030, 7 a.m.: Spam"
    # …and the page puts it into words when it is read, in the reader's language and zone.
    client.force_login(member)
    assert "Вы можете только читать до 1 марта 2030 г. 15:00: Остыньте" in client.get(reverse("notifications:list")).content.decode()


def test_a_member_who_chose_no_language_reads_a_moderation_notice_in_their_browsers(client, site_moderator, member, category):
    from forums.models import Post
    from tests.factories import make_reply, make_thread

    post = make_reply(thread=make_thread(author=UserFactory(), category=category), author=member, body="Something flaggable")
    services.resolve(item=_item_for(post), moderator=site_moderator, action="hide")
    assert member.language == "" and Post.objects.get(pk=post.pk).is_hidden
    client.force_login(member)
    page = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Модератор скрыл ваше сообщение" in page and "скрыто модератором" in page
    thread_page = client.get(post.thread.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Скрыто от других, пока его проверяют модераторы: скрыто модератором" in thread_page


def _item_for(post):
    from moderation.models import ReviewItem

    services.flag_post(post=post, flagger=UserFactory(tier=1), reason="spam")
    return ReviewItem.objects.get(post=post, status="pending")


def test_an_approved_new_account_is_welcomed_in_its_own_language(manager):
    waiting = UserFactory(username="novy", awaiting_approval=True, language="ru")
    services.decide_new_member(member=waiting, moderator=manager, approve=True)
    assert waiting.notifications.get().text == "Ваш аккаунт одобрен: добро пожаловать, теперь можно писать."
