"""Small things people notice (issue 10, point 14), measured in the browser."""

from itertools import pairwise

from community.members import services as member_services
from tests.factories import TagFactory, UserFactory


def test_interest_tags_on_a_profile_stand_apart(new_page, member):
    tags = [TagFactory(name="python"), TagFactory(name="postgresql"), TagFactory(name="deployment")]
    member_services.profile_update(member=member, display_name="", language="", timezone="UTC", bio="",
                                   interests=tags, birthday_day=None, birthday_month=None)
    page = new_page(user=member, width=375)
    page.goto(f"/u/{member.username}/")
    shown = page.locator(".profile .tag")
    assert shown.count() == 3
    boxes = [shown.nth(index).bounding_box() for index in range(3)]
    for left, right in pairwise(boxes):
        if abs(left["y"] - right["y"]) < 2:  # on the same line
            assert right["x"] - (left["x"] + left["width"]) >= 3


def test_members_with_the_same_initials_look_different(new_page, member):
    twins = [UserFactory(username="anna_berg", display_name="Anna Berg"), UserFactory(username="alex_brown", display_name="Alex Brown")]
    page = new_page(user=member)
    colours = []
    for twin in twins:
        page.goto(f"/u/{twin.username}/")
        avatar = page.locator(".profile .avatar")
        colours.append(avatar.evaluate("element => getComputedStyle(element).backgroundColor"))
    assert colours[0] != colours[1]
