"""Bad input in titles and names (issue 10, "Bad input"): invisible-only titles are empty, direction
overrides cannot reorder the page, names stay on one line."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forums import services
from forums.markup import plain_line
from forums.models import Thread
from tests.factories import make_thread

RLO, PDF = "\u202e", "\u202c"


@pytest.mark.parametrize("title", ["\u200b\u200b\u200b\u200b\u200b", "\u200d\u200d\u200d\u200d", "\ufeff \u2060 \u200b",
                                   "\u202e\u202e\u202e\u202e", "\u00ad\u00ad\u00ad\u00ad"])
def test_a_title_of_invisible_characters_is_refused_as_empty(member, category, title):
    with pytest.raises(ValidationError) as refused:
        services.thread_create(author=member, category=category, title=title, body="hello there")
    assert refused.value.code == "title_empty"
    assert not Thread.objects.exists()


def test_the_composer_says_so_under_the_title_and_keeps_the_text(client, member, category):
    client.force_login(member)
    response = client.post(reverse("forums:thread_create"), {
        "category": category.pk, "title": "\u200b" * 12, "body": "My careful question.",
    })
    assert response.status_code == 200 and not Thread.objects.exists()
    form = response.context["form"]
    assert "title" in form.errors and "words people can see" in form.errors["title"][0]
    assert "My careful question." in response.content.decode()


def test_direction_overrides_are_taken_out_of_titles_and_shown_isolated(client, member, category):
    thread = make_thread(author=member, category=category, title=f"Hello {RLO}gnp.exe{PDF} world")
    assert thread.title == "Hello gnp.exe world"
    page = client.get(thread.get_absolute_url()).content.decode()
    assert '<h1 dir="auto">Hello gnp.exe world</h1>' in page
    assert 'class="thread-title" dir="auto"' in client.get("/").content.decode()
    services.post_edit(post=thread.posts.get(), editor=member, body=thread.posts.get().body, title=f"{RLO}edited title")
    assert Thread.objects.get().title == "edited title"


def test_display_names_lose_newlines_and_overrides(client, member):
    client.force_login(member)
    response = client.post(reverse("members:settings"), {
        "display_name": f"Mo\nthe\r\nadmin {RLO}nimda", "language": "en", "timezone": "UTC", "bio": "",
    })
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    member.refresh_from_db()
    assert member.display_name == "Mo the admin nimda"
    assert '<h1 dir="auto">Mo the admin nimda</h1>' in client.get(reverse("members:profile", args=[member.username])).content.decode()


def test_plain_line_keeps_real_text_in_any_script():
    assert plain_line("  Привет,\tмир  ") == "Привет, мир"
    assert plain_line("שלום עולם") == "שלום עולם"
    assert plain_line("family 👨\u200d👩\u200d👧") == "family 👨\u200d👩\u200d👧"  # joiners inside emoji stay
    assert plain_line("a\u2028b\u2029c") == "a b c"
