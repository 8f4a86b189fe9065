"""Checks other apps run on what members post (watched words), without forums knowing them.

A check takes (author, text) and raises ValidationError to refuse the post; the text stays in the form.
"""

from collections.abc import Callable

ContentCheck = Callable[[object, str], None]
_checks: list[ContentCheck] = []


def register(check: ContentCheck) -> ContentCheck:
    if check not in _checks:
        _checks.append(check)
    return check


def run(author, text: str) -> None:
    for check in _checks:
        check(author, text)
