"""forums.routes: the fast `reverse` for rows of a list gives exactly what `reverse` gives."""

import pytest
from django.test import override_settings
from django.urls import reverse

from forums.routes import route

CASES = [
    ("forums:latest", ()),
    ("forums:thread", (12, "how-do-i-start")),
    ("forums:thread", (12, "-")),
    ("forums:category", ("general",)),
    ("forums:tag", ("c++",)),
    ("forums:tag", ("a b%c",)),
    ("members:profile", ("Zoë.o+x@y-z_",)),
    ("members:profile", ("Иван",)),
    ("triage:assign", (7,)),
    ("loyalty:leaderboard", ()),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_route_gives_what_reverse_gives(name, args):
    assert route(name, *args) == reverse(name, args=args)


def test_route_follows_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    before = get_script_prefix()
    try:
        set_script_prefix("/forum/")
        assert route("triage:assign", 7) == reverse("triage:assign", args=[7]) == "/forum/queue/7/assign/"
    finally:
        set_script_prefix(before)


@override_settings(ROOT_URLCONF="tests.urls_for_routes")
def test_route_follows_a_swapped_url_conf():
    assert route("forums:latest") == reverse("forums:latest") == "/elsewhere/"
