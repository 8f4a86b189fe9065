from tests.factories import make_thread


def test_latest_page_shows_a_thread_in_the_browser(new_page, member, category):
    make_thread(author=member, category=category, title="Hello from the browser test")
    page = new_page()
    page.goto("/")
    assert page.get_by_role("link", name="Hello from the browser test").is_visible()
