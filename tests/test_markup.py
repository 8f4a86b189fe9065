"""The one Markdown pipeline: what members write renders as intended, and never as script."""

import pytest

from forums.markup import quote_markdown, render_markdown, render_snippet
from tests.markup_inspection import markup_problems
from tests.xss_vectors import XSS_VECTORS


def test_there_are_at_least_a_hundred_known_vectors():
    assert len(XSS_VECTORS) >= 100


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_known_xss_vector_renders_inert(vector):
    html = render_markdown(vector).html
    assert markup_problems(html) == []
    lowered = html.lower()
    assert "<script" not in lowered and "<svg" not in lowered and "<iframe" not in lowered


def test_all_vectors_in_one_post_render_inert():
    assert markup_problems(render_markdown("\n\n".join(XSS_VECTORS)).html) == []


def test_markdown_formatting_is_kept():
    html = render_markdown("**bold** _it_ `code`\n\n> quoted\n\n- one\n- two\n\n~~gone~~").html
    for fragment in ("<strong>bold</strong>", "<em>it</em>", "<code>code</code>", "<blockquote>", "<li>one</li>", "<s>gone</s>"):
        assert fragment in html


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.com) and https://example.org").html
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org"' in html


def test_raw_html_is_shown_as_text():
    html = render_markdown("<b>hi</b>").html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_mentions_link_only_known_members_and_are_reported():
    rendered = render_markdown("hi @Alice and @bob, mail me at x@alice.org", known_usernames={"alice"})
    assert '<a href="/u/Alice/" class="mention"' in rendered.html
    assert "@bob" in rendered.html and "/u/bob/" not in rendered.html
    assert rendered.mentioned_usernames == {"alice"}


def test_mentions_in_code_are_not_linked():
    rendered = render_markdown("`@alice` and\n\n```\n@alice\n```", known_usernames={"alice"})
    assert "/u/alice/" not in rendered.html
    assert rendered.mentioned_usernames == set()


def test_search_snippet_escapes_text_and_marks_matches():
    assert render_snippet("<b>x</b> \x02word\x03") == "&lt;b&gt;x&lt;/b&gt; <mark>word</mark>"


def test_quote_credits_the_author_and_links_back():
    text = quote_markdown(username="alice", post_url="/p/7/", body="line one\n\nline two")
    assert text.startswith("> **@alice** [wrote](/p/7/):\n> line one\n>\n> line two")
