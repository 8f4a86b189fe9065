"""The template helpers every page shares (forums_tags): what they show does not depend on what was asked before."""

from datetime import UTC, datetime

from django.utils import timezone, translation

from forums.templatetags.forums_tags import plain_text, reltime

MOMENT = datetime(2026, 3, 5, 18, 30, tzinfo=UTC)


def test_reltime_shows_the_exact_time_in_the_language_and_time_zone_of_each_page():
    with translation.override("en"), timezone.override("UTC"):
        assert 'title="March 5, 2026, 6:30 p.m."' in reltime(MOMENT)
    with translation.override("ru"), timezone.override("UTC"):
        assert 'title="5 марта 2026 г. 18:30"' in reltime(MOMENT)
    with translation.override("en"), timezone.override("Asia/Tokyo"):
        assert 'title="March 6, 2026, 3:30 a.m."' in reltime(MOMENT)
    with translation.override("en"), timezone.override("UTC"):
        assert 'title="March 5, 2026, 6:30 p.m."' in reltime(MOMENT)


def test_plain_text_reads_a_posts_html_as_words():
    html = "<p>Hello <strong>world</strong> &amp; <a href='/x'>friends</a></p>\n<p>again</p>"
    assert plain_text(html) == plain_text(html) == "Hello world & friends again"
    assert plain_text(None) == plain_text("") == ""
