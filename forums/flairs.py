"""Flair next to a post author's name, supplied by other apps (experts, moderators) without forums knowing them.

A provider takes the thread and the set of author ids on the page and returns {author_id: [Flair]}
in one query; the thread page calls each provider once.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Flair:
    label: str
    url: str = ""
    title: str = ""


FlairProvider = Callable[[object, set[int]], dict[int, list[Flair]]]
_providers: list[FlairProvider] = []


def register(provider: FlairProvider) -> FlairProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def attach(thread, posts: list) -> None:
    author_ids = {post.author_id for post in posts}
    found: dict[int, list[Flair]] = {}
    for provider in _providers:
        for author_id, flairs in provider(thread, author_ids).items():
            found.setdefault(author_id, []).extend(flairs)
    for post in posts:
        post.flairs = found.get(post.author_id, [])
