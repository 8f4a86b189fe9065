"""Moderator promotion: the nightly candidates, managers' decisions, the member's acceptance."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community import permissions
from community.members.models import Tier, User
from loyalty import ledger
from moderation import promotion
from moderation.models import Flag, ModerationAction, ModeratorRole, Nomination, Sanction
from tests.factories import CategoryFactory, UserFactory, make_thread

pytestmark = pytest.mark.django_db


def _flags(member, *, agreed: int, disagreed: int, category):
    author = UserFactory()
    for i in range(agreed + disagreed):
        post = make_thread(author=author, category=category, title=f"Flagged thread {member.pk}-{i}").posts.get()
        Flag.objects.create(post=post, flagger=member, reason="spam", created_at=timezone.now(),
                            status="agreed" if i < agreed else "disagreed")


@pytest.fixture
def champion(category):
    member = UserFactory(username="champ", tier=Tier.CHAMPION)
    _flags(member, agreed=9, disagreed=1, category=category)
    ledger.award(member_id=member.pk, reason="answer_accepted", source_type="test", source_id=1, amount=300)
    return member


def test_the_nightly_job_finds_champions_with_accurate_flags(champion, category):
    sloppy = UserFactory(username="sloppy", tier=Tier.CHAMPION)
    _flags(sloppy, agreed=5, disagreed=5, category=category)
    regular = UserFactory(username="reg", tier=Tier.REGULAR)
    _flags(regular, agreed=10, disagreed=0, category=category)
    sanctioned = UserFactory(username="sanctioned", tier=Tier.CHAMPION)
    _flags(sanctioned, agreed=10, disagreed=0, category=category)
    Sanction.objects.create(member=sanctioned, kind="silence", reason="x", starts_at=timezone.now() - timedelta(days=30),
                            ends_at=timezone.now() - timedelta(days=29))
    found = promotion.find_candidates()
    assert [n.member for n in found] == [champion]
    assert found[0].evidence["flag_accuracy"] == 0.9 and found[0].evidence["score_90d"] == 300
    assert promotion.find_candidates() == []  # already nominated


def test_manager_approves_and_the_member_accepts_then_moderates(client, champion, manager, category):
    nomination = promotion.find_candidates()[0]
    client.force_login(manager)
    assert "champ" in client.get("/moderation/candidates/").content.decode()
    client.post(reverse("moderation:decide", args=[nomination.pk, "approve"]), {"categories": [category.pk]})
    nomination.refresh_from_db()
    assert nomination.status == "offered" and nomination.category_ids == [category.pk]
    assert champion.notifications.get().text.startswith("The community team invites you")
    client.force_login(champion)
    assert client.get("/review/").status_code == 403
    response = client.post("/moderation/invitation/", {"answer": "accept"})
    assert response.url == "/review/"
    assert ModeratorRole.objects.get(member=champion).category == category
    champion = User.objects.get(pk=champion.pk)
    assert permissions.can_moderate(champion, category.pk) and not permissions.can_moderate(champion, CategoryFactory().pk)
    assert client.get("/review/").status_code == 200
    assert {"candidate_approved", "moderator_granted"} <= set(ModerationAction.objects.values_list("action", flat=True))


def test_declining_needs_a_note_and_is_logged(client, champion, manager):
    nomination = promotion.find_candidates()[0]
    client.force_login(manager)
    client.post(reverse("moderation:decide", args=[nomination.pk, "decline"]), {"note": ""})
    nomination.refresh_from_db()
    assert nomination.status == "candidate"
    client.post(reverse("moderation:decide", args=[nomination.pk, "decline"]), {"note": "Not yet, maybe next year"})
    nomination.refresh_from_db()
    assert nomination.status == "declined" and ModerationAction.objects.get(action="candidate_declined").reason.startswith("Not yet")


def test_deferred_candidates_stay_on_the_list(champion, manager):
    nomination = promotion.defer(nomination=promotion.find_candidates()[0], manager=manager)
    assert nomination.status == Nomination.Status.DEFERRED


def test_only_managers_see_and_decide_candidates(client, champion, member):
    nomination = promotion.find_candidates()[0]
    client.force_login(member)
    assert client.get("/moderation/candidates/").status_code == 403
    assert client.post(reverse("moderation:decide", args=[nomination.pk, "approve"])).status_code == 403


def test_a_member_may_say_no(client, champion, manager):
    nomination = promotion.approve(nomination=promotion.find_candidates()[0], manager=manager)
    client.force_login(champion)
    client.post("/moderation/invitation/", {"answer": "refuse"})
    nomination.refresh_from_db()
    assert nomination.status == "refused" and not ModeratorRole.objects.exists()


def test_managers_revoke_roles_from_the_profile(client, manager, champion, category):
    from moderation.services import grant_role

    role = grant_role(member=champion, category=category, granted_by=manager)
    client.force_login(manager)
    assert f"Moderator of {category.name}" in client.get(f"/u/{champion.username}/").content.decode()
    client.post(reverse("moderation:revoke", args=[role.pk]))
    role.refresh_from_db()
    assert role.revoked_at is not None and not User.objects.get(pk=champion.pk).groups.filter(name="Moderators").exists()
    assert ModerationAction.objects.filter(action="moderator_revoked").exists()


def test_candidates_page_gives_flag_accuracy_as_a_share(client, champion, manager):
    promotion.find_candidates()
    client.force_login(manager)
    page = client.get("/moderation/candidates/").content.decode()
    assert "90% agreed with by moderators" in page and "accuracy 0.9" not in page
