"""Initials avatars tell members apart (issue 10, point 14)."""

import colorsys
import re

from community.members.models import User


def _contrast_with_white(colour: str) -> float:
    hue, saturation, lightness = map(int, re.fullmatch(r"hsl\((\d+) (\d+)% (\d+)%\)", colour).groups())
    channels = colorsys.hls_to_rgb(hue / 360, lightness / 100, saturation / 100)
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_members_with_the_same_initials_get_different_colours():
    # The demo's Anna Berg and Alex Brown (and 200 more "A. B."s) should not look like one person.
    members = [User(username=f"ab{n}", display_name=f"Anna Berg {n}") for n in range(200)]
    assert {member.initials for member in members} == {"AB"}
    assert User(username="anna_berg").avatar_colour != User(username="alex_brown").avatar_colour
    assert len({member.avatar_colour for member in members}) == 24  # the whole palette is used (ten fixed colours before)


def test_any_two_palette_colours_differ_at_a_glance():
    colours = {User(username=f"member{n}").avatar_colour for n in range(2000)}
    shades = [tuple(map(int, re.fullmatch(r"hsl\((\d+) (\d+)% (\d+)%\)", colour).groups())) for colour in colours]
    for index, (hue, saturation, _lightness) in enumerate(shades):
        for other_hue, other_saturation, _other in shades[index + 1:]:
            apart = min(abs(hue - other_hue), 360 - abs(hue - other_hue))
            assert apart >= 30 or abs(saturation - other_saturation) >= 30


def test_every_avatar_colour_keeps_white_initials_readable():
    colours = {User(username=f"member{n}").avatar_colour for n in range(2000)}
    assert min(_contrast_with_white(colour) for colour in colours) >= 4.5


def test_a_members_colour_does_not_change_between_pages():
    assert User(username="Olga").avatar_colour == User(username="olga").avatar_colour
