"""Forum permissions, one table: who may do what to whose content."""

import pytest
from django.contrib.auth.models import AnonymousUser

from forums import permissions, services
from tests.factories import make_reply, make_thread

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "newcomer", "member", "author", "manager", "admin", "inactive"]


@pytest.fixture
def people(newcomer, member, manager, admin, other_member):
    from tests.factories import UserFactory

    return {
        "anonymous": AnonymousUser(), "newcomer": newcomer, "member": member, "author": other_member,
        "manager": manager, "admin": admin, "inactive": UserFactory(is_active=False),
    }


@pytest.fixture
def content(people, category, read_only_category):
    thread = make_thread(author=people["author"], category=category)
    reply = make_reply(thread=thread, author=people["author"])
    return {"thread": thread, "reply": reply, "category": category, "read_only": read_only_category}


EXPECTED = {
    #                      anonymous newcomer member author manager admin inactive
    "start_thread":        (False,   True,    True,  True,  True,   True,  False),
    "start_read_only":     (False,   False,   False, False, True,   True,  False),
    "reply":               (False,   True,    True,  True,  True,   True,  False),
    "reply_locked":        (False,   False,   False, False, True,   True,  False),
    "edit_reply":          (False,   False,   False, True,  True,   True,  False),
    "delete_reply":        (False,   False,   False, True,  True,   True,  False),
    "like_reply":          (False,   True,    True,  False, True,   True,  False),
    "create_tag":          (False,   False,   False, False, True,   True,  False),
    "see_deleted_thread":  (False,   False,   False, False, True,   True,  False),
}


def _answer(action, user, content):
    thread, reply = content["thread"], content["reply"]
    if action == "start_thread":
        return permissions.can_start_thread(user, content["category"])
    if action == "start_read_only":
        return permissions.can_start_thread(user, content["read_only"])
    if action == "reply":
        return permissions.can_reply(user, thread)
    if action == "reply_locked":
        thread.is_locked = True
        return permissions.can_reply(user, thread)
    if action == "edit_reply":
        return permissions.can_edit_post(user, reply)
    if action == "delete_reply":
        return permissions.can_delete_post(user, reply)
    if action == "like_reply":
        return permissions.can_like_post(user, reply)
    if action == "create_tag":
        return permissions.can_create_tag(user)
    if action == "see_deleted_thread":
        thread.is_deleted = True
        return permissions.can_see_thread(user, thread)
    raise AssertionError(action)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_permission_table(action, people, content):
    answers = tuple(_answer(action, people[role], content) for role in ROLES)
    assert dict(zip(ROLES, answers, strict=True)) == dict(zip(ROLES, EXPECTED[action], strict=True))


def test_nobody_edits_or_likes_a_deleted_post(people, content):
    services.post_delete(post=content["reply"], member=people["author"])
    content["reply"].refresh_from_db()
    for role in ROLES:
        assert not permissions.can_edit_post(people[role], content["reply"])
        assert not permissions.can_like_post(people[role], content["reply"])


def test_check_functions_raise_with_a_reason(people, content):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="read-only"):
        permissions.check_can_start_thread(people["member"], content["read_only"])
    with pytest.raises(PermissionDenied, match="your own post"):
        permissions.check_can_like_post(people["author"], content["reply"])
