"""Help while writing a thread (issue 13, point 2): similar threads as the title is typed, solved first, and the
category's template in the new thread's message, on real PostgreSQL."""

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums import services, similar
from forums.models import Post, Thread
from tests.factories import CategoryFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db

URL = "/t/similar/"


def _titles(client, title: str) -> list[str]:
    response = client.get(URL, {"title": title}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    return [unescape(text) for text in re.findall(r'class="similar-thread-title"[^>]*>([^<]*)</a>', response.content.decode())]


def _solve(thread, *, answerer):
    reply = make_reply(thread=thread, author=answerer)
    services.answer_accept(thread=thread, post=reply, member=thread.author)


def test_a_solved_thread_comes_before_a_closer_unsolved_one(client, member, other_member, category):
    make_thread(author=member, category=category, title="Kettle whistles too loudly at night")
    solved = make_thread(author=member, category=category, title="My kettle is loud")
    _solve(solved, answerer=other_member)

    assert _titles(client, "Kettle whistles too loudly") == ["My kettle is loud", "Kettle whistles too loudly at night"]
    html = client.get(URL, {"title": "Kettle whistles too loudly"}).content.decode()
    assert html.count("pill-solved") == 1 and "Solved" in html
    assert "1 reply" in html and 'target="_blank"' in html


def test_the_best_matches_come_first_among_unsolved_threads(client, member, category):
    make_thread(author=member, category=category, title="Kettle question")
    make_thread(author=member, category=category, title="Kettle whistles when boiling water")
    assert _titles(client, "Why does my kettle whistle when boiling?")[0] == "Kettle whistles when boiling water"


def test_a_similar_title_shares_two_of_the_words_and_the_last_one_may_be_unfinished(client, member, category):
    make_thread(author=member, category=category, title="Kettle whistles when boiling water")
    make_thread(author=member, category=category, title="Kettle question")
    make_thread(author=member, category=category, title="Whistles and bells")
    assert _titles(client, "My kettle whis") == ["Kettle whistles when boiling water"]
    assert _titles(client, "My kettle whis ") == []  # a finished word is matched as it is
    assert _titles(client, "Kettle and bells") == []  # a one-word overlap is not similar enough


def test_at_most_five_threads_are_suggested(client, member, category):
    for number in range(8):
        make_thread(author=member, category=category, title=f"Kettle descaling question {number}")
    assert len(_titles(client, "Kettle descaling with vinegar")) == similar.SIMILAR_MAX == 5


def test_nothing_is_suggested_under_ten_characters_and_no_query_runs(client, member, category, django_assert_num_queries):
    make_thread(author=member, category=category, title="Kettle")
    with django_assert_num_queries(0):
        response = client.get(URL, {"title": "  Kettle   \n "})
    assert response.status_code == 200 and response.content.decode().strip() == ""
    assert client.get(URL).content.decode().strip() == ""
    assert _titles(client, "My Kettle!") == ["Kettle"]  # ten characters


def test_a_title_of_stop_words_only_suggests_nothing(client, member, category):
    make_thread(author=member, category=category, title="What is this about")
    assert _titles(client, "what is this and that") == []


def test_deleted_threads_and_threads_whose_opening_post_is_hidden_are_never_suggested(client, member, manager, category):
    shown = make_thread(author=member, category=category, title="Kettle limescale shown")
    deleted = make_thread(author=member, category=category, title="Kettle limescale deleted")
    services.post_delete(post=deleted.posts.get(number=1), member=member)
    hidden = make_thread(author=member, category=category, title="Kettle limescale hidden")
    services.post_hide(post=hidden.posts.get(number=1), reason="Flagged")
    gone = make_thread(author=member, category=category, title="Kettle limescale opening deleted")
    Post.objects.filter(thread=gone, number=1).update(is_deleted=True)

    assert _titles(client, "Kettle limescale problem") == [shown.title]
    client.force_login(manager)  # not even to those who may see them elsewhere
    assert _titles(client, "Kettle limescale problem") == [shown.title]


def test_a_russian_title_finds_the_russian_thread_in_other_forms_of_its_words(client, member, category):
    make_thread(author=member, category=category, title="Загрузка файлов не работает")
    make_thread(author=member, category=category, title="Совсем другой вопрос")
    assert _titles(client, "Проблема с загрузкой файлов") == ["Загрузка файлов не работает"]


@pytest.mark.parametrize("typed", [
    "{{ settings.SECRET_KEY }} kettle boils",
    "{% debug %} kettle boils",
    "<script>alert(1)</script> kettle <b>boils</b>",
    "kettle ' & | ! <-> :* \\ ''' (((",
    "{% trans 'kettle' %}{{ request.user.password }} boils",
])
def test_template_text_and_markup_in_a_title_are_harmless(client, member, category, typed):
    make_thread(author=member, category=category, title="Kettle <b>{{ boils }}</b> {% now 'Y' %}")
    response = client.get(URL, {"title": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kettle &lt;b&gt;{{ boils }}&lt;/b&gt; {% now &#x27;Y&#x27; %}" in html
    assert "<b>" not in html and "<script" not in html and "SECRET" not in html


def test_a_very_long_title_is_cut_not_refused(client, member, category):
    make_thread(author=member, category=category, title="Kettle descaling")
    assert _titles(client, "kettle " * 2_000) == ["Kettle descaling"]


def test_the_query_count_does_not_grow_with_the_matches(client, member, other_member, category):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"title": "Kettle descaling with vinegar"}).status_code == 200
        return len(queries)

    first = make_thread(author=member, category=category, title="Kettle descaling 0")
    _solve(first, answerer=other_member)
    one = count()
    for number in range(1, 20):
        make_thread(author=member, category=category, title=f"Kettle descaling {number}")
    assert count() == one == 2


def test_the_new_thread_form_asks_for_similar_threads_as_the_title_is_typed(client, newcomer, category):
    client.force_login(newcomer)
    html = client.get("/t/new/").content.decode()
    assert 'hx-get="/t/similar/"' in html and 'hx-include="#id_title"' in html
    assert re.search(r'hx-trigger="input changed delay:\d+ms from:#id_title"', html)
    assert '<div id="similar-threads" aria-live="polite">' in html


# The category's template ---------------------------------------------------------------------------

@pytest.fixture
def help_category(db):
    return CategoryFactory(name="Help", slug="help-desk", body_template_en="What I tried:\n\nWhat I expected:\n\nVersions:",
                           body_template_ru="Что я пробовал:\n\nЧего я ожидал:\n\nВерсии:")


def _body(client, url, **headers) -> str:
    html = client.get(url, **headers).content.decode()
    return unescape(re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1)).strip()


def test_a_category_template_fills_the_new_thread_message_in_english(client, newcomer, help_category):
    client.force_login(newcomer)
    assert _body(client, "/t/new/?category=help-desk", HTTP_ACCEPT_LANGUAGE="en") == help_category.body_template_en


def test_a_category_template_fills_the_new_thread_message_in_russian(client, newcomer, help_category):
    client.force_login(newcomer)
    assert _body(client, "/t/new/?category=help-desk", HTTP_ACCEPT_LANGUAGE="ru") == help_category.body_template_ru


def test_russian_readers_get_the_english_template_when_there_is_no_russian_one(client, newcomer):
    CategoryFactory(slug="bugs", body_template_en="Steps to reproduce:")
    client.force_login(newcomer)
    assert _body(client, "/t/new/?category=bugs", HTTP_ACCEPT_LANGUAGE="ru") == "Steps to reproduce:"


def test_without_a_category_or_a_template_the_message_starts_empty(client, newcomer, help_category):
    CategoryFactory(slug="plain")
    client.force_login(newcomer)
    assert _body(client, "/t/new/") == ""
    assert _body(client, "/t/new/?category=plain") == ""
    assert _body(client, "/t/new/?category=no-such-category") == ""


def test_a_read_only_category_lends_no_template_to_a_member(client, newcomer):
    CategoryFactory(slug="news", is_read_only=True, body_template_en="Announcement:")
    client.force_login(newcomer)
    assert _body(client, "/t/new/?category=news") == ""


def test_a_refused_form_keeps_the_members_text_not_the_template(client, member, help_category):
    client.force_login(member)
    response = client.post(f"/t/new/?category={help_category.slug}",
                           {"category": help_category.pk, "title": "", "body": "My own words", "tags": ""})
    assert response.status_code == 200
    message = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', response.content.decode(), re.S).group(1)
    assert message.strip() == "My own words"


def test_template_text_in_a_category_template_is_shown_as_text(client, newcomer):
    CategoryFactory(slug="odd", body_template_en="{{ request.user.password }} <script>alert(1)</script>")
    client.force_login(newcomer)
    html = client.get("/t/new/?category=odd").content.decode()
    assert "{{ request.user.password }} &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("body", ["What I tried:\n\nWhat I expected:\n\nVersions:", "What I tried:\nVersions:",
                                  "Что я пробовал:\n\n  Версии:  "])
def test_posting_the_template_unchanged_is_refused_with_a_clear_message_and_the_text_kept(client, newcomer, help_category, body):
    client.force_login(newcomer)
    response = client.post(f"/t/new/?category={help_category.slug}",
                           {"category": help_category.pk, "title": "My printer does not print", "body": body, "tags": ""})
    page = response.content.decode()
    assert response.status_code == 200 and not Thread.objects.filter(author=newcomer).exists()
    assert "still only the category&#x27;s template" in page and "My printer does not print" in page


def test_the_template_with_the_question_written_in_is_posted(client, newcomer, help_category):
    client.force_login(newcomer)
    client.post(f"/t/new/?category={help_category.slug}", {"category": help_category.pk, "title": "My printer does not print",
                                                           "body": "What I tried:\nReinstalling the driver.\n\nVersions:\n2.1", "tags": ""})
    assert Thread.objects.filter(author=newcomer, title="My printer does not print").exists()


def test_the_form_carries_the_templates_of_the_categories_the_member_may_post_in(client, member, help_category):
    CategoryFactory(slug="staff-news", is_read_only=True, body_template_en="For staff only")
    CategoryFactory(slug="chat")  # no template
    client.force_login(member)
    html = client.get("/t/new/").content.decode()
    templates = json.loads(re.search(r'<script id="category-templates" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert templates == {str(help_category.pk): help_category.body_template_en}
