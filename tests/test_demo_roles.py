"""The demo community shows every role at work: moderators with posts waiting, a moderator of one
category, moderator candidates with their evidence (seed_demo, through the real services)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from community import permissions
from community.members.models import User
from forums.models import Category
from moderation.models import ModerationAction, ModeratorRole, Nomination, ReviewItem

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_moderation_role_at_work(client, django_capture_on_commit_callbacks):
    # The seed commits once; what the site does after commit (holding posts with a watched word) runs too.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    moderator, catmod, manager = (User.objects.get(username=name) for name in ("moderator", "catmod", "manager"))
    help_category = Category.objects.get(slug="help")
    assert ModeratorRole.objects.get(member=moderator, revoked_at=None).category is None
    assert ModeratorRole.objects.get(member=catmod, revoked_at=None).category == help_category
    assert permissions.moderated_category_ids(moderator) is None
    assert permissions.moderated_category_ids(catmod) == {help_category.pk}

    client.force_login(moderator)
    response = client.get(reverse("moderation:review"))
    assert response.status_code == 200
    waiting = response.context["items"]
    assert len(waiting) == 4 and len({item.category_id for item in waiting}) == 3
    assert sum(1 for item in waiting if item.post.flags.all()) == 2  # flagged: one by a member, one hidden by three flags
    held = [item for item in waiting if not item.post.flags.all()]
    assert len(held) == 2 and all(item.post.is_hidden and "casino" in item.post.body for item in held)
    assert "casino" in response.content.decode()
    response = client.get(reverse("moderation:log"))
    assert response.status_code == 200 and response.context["entries"]
    assert ModerationAction.objects.filter(actor=moderator, action="review_hide").count() == 10

    client.force_login(catmod)
    response = client.get(reverse("moderation:review"))
    assert response.status_code == 200
    theirs = response.context["items"]
    assert len(theirs) == 2 and {item.category_id for item in theirs} == {help_category.pk}
    elsewhere = next(item for item in waiting if item.category_id != help_category.pk)
    assert client.post(reverse("moderation:act", args=[elsewhere.pk, "hide"])).status_code == 403
    assert ReviewItem.objects.get(pk=elsewhere.pk).status == ReviewItem.Status.PENDING

    client.force_login(manager)
    response = client.get(reverse("moderation:candidates"))
    assert response.status_code == 200
    nominations = response.context["nominations"]
    assert len(nominations) == 2 and all(n.status == Nomination.Status.CANDIDATE for n in nominations)
    for nomination in nominations:
        evidence = nomination.evidence
        assert evidence["tier"] >= 3 and evidence["flags_resolved"] >= 10 and evidence["flag_accuracy"] >= 0.8
        assert f"{evidence['flags_resolved']} flags handled" in response.content.decode()

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).count() == 4 and Nomination.objects.count() == 2


def test_the_russian_demo_category_is_written_in_russian():
    call_command("seed_demo", stdout=StringIO())
    from community.demo_content import SENTENCES_EN
    from forums.models import Post

    bodies = list(Post.objects.filter(thread__category__slug="ru").values_list("body", flat=True))
    assert len(bodies) > 100
    english = [body for body in bodies if "I agree" in body or "Thanks @" in body or any(s in body for s in SENTENCES_EN)]
    assert english == []
    assert all(any("а" <= char <= "я" for char in body.lower()) for body in bodies)
