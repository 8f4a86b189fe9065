"""Domain signals leave the forum only after the transaction commits, with ids only."""

import json
import logging

import pytest

from community.logging import JsonFormatter
from forums import services, signals
from tests.factories import make_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    events = []

    def listen(signal_name):
        def receiver(sender, **kwargs):
            events.append((signal_name, kwargs))
        return receiver

    receivers = {name: listen(name) for name in ("thread_created", "post_created", "reaction_added", "post_hidden")}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver)
    yield events
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def test_signals_wait_for_commit_and_carry_ids(member, other_member, category, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = make_thread(author=member, category=category)
    assert received == [] and len(callbacks) == 3  # two signals, and the kept pages' version bump (forums.page_cache)
    for callback in callbacks:
        callback()
    post = thread.posts.get()
    ids = {"thread_id": thread.pk, "post_id": post.pk, "author_id": member.pk, "category_id": category.pk}
    assert received == [
        ("thread_created", {"signal": signals.thread_created, **ids}),
        ("post_created", {"signal": signals.post_created, **ids, "number": 1}),
    ]


def test_like_and_delete_send_their_signals(member, other_member, category, received, django_capture_on_commit_callbacks):
    thread = make_thread(author=member, category=category)
    post = thread.posts.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.like_add(post=post, member=other_member)
        services.like_add(post=post, member=other_member)  # a second like changes nothing and says nothing
        services.post_delete(post=post, member=member)
    names = [name for name, _kwargs in received]
    assert names == ["reaction_added", "post_hidden"]


def test_logs_are_one_json_object_per_line_with_extra_fields():
    record = logging.LogRecord("forums", logging.INFO, __file__, 1, "post_created", None, None)
    record.post_id = 7
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "post_created" and entry["post_id"] == 7 and entry["level"] == "INFO"
