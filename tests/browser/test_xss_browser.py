"""Known XSS vectors posted as Markdown stay inert in a real browser, wherever the site shows them."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from forums.models import Post
from tests.factories import make_reply, make_thread
from tests.xss_vectors import XSS_VECTORS

# Everything in the document that is not the site's own markup, as the browser parsed it.
FIND_INJECTED_MARKUP = r"""
(containers) => {
  const ownScripts = [/\/static\/vendor\/htmx\.min(\.[0-9a-f]+)?\.js$/, /\/static\/js\/site(\.[0-9a-f]+)?\.js$/];
  const foreignScripts = [];
  for (const script of document.querySelectorAll("script")) {
    const src = script.getAttribute("src");
    const path = src ? new URL(src, location.href).pathname : "";
    if (!src || !ownScripts.some((pattern) => pattern.test(path))) {
      foreignScripts.push(src || "inline: " + script.textContent.slice(0, 80));
    }
  }
  const dangerousTags = "script, iframe, frame, object, embed, form, input, button, textarea, select, style, link, " +
    "meta, base, svg, math, video, audio, source, details, template, noscript";
  const problems = [];
  const urlAttributes = ["href", "src", "xlink:href", "action", "formaction", "data", "poster", "background"];
  for (const container of document.querySelectorAll(containers)) {
    for (const element of container.querySelectorAll(dangerousTags)) {
      problems.push("element <" + element.tagName.toLowerCase() + ">");
    }
    for (const element of [container, ...container.querySelectorAll("*")]) {
      for (const attribute of element.attributes) {
        const name = attribute.name.toLowerCase();
        if (name.startsWith("on")) problems.push(element.tagName + " " + name + "=" + attribute.value);
        if (name === "style" || name === "srcdoc") problems.push(element.tagName + " " + name + "=" + attribute.value);
        if (urlAttributes.includes(name)) {
          const compact = attribute.value.replace(/[\u0000-\u0020]+/g, "").toLowerCase();
          const protocol = new URL(attribute.value, location.href).protocol;
          if (compact.startsWith("javascript:") || !["http:", "https:", "mailto:"].includes(protocol)) {
            problems.push(element.tagName + " " + name + "=" + attribute.value);
          }
        }
      }
    }
  }
  return {
    xss: typeof window.__xss,
    foreignScripts,
    problems,
    cspViolations: window.__cspViolations || [],
    containers: document.querySelectorAll(containers).length,
  };
}
"""

# Recorded from the first moment of every document, before any of the page's markup runs.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || ""));
});
"""

# Clicking a real link to another site would leave the page; stop only those, so that a
# javascript: link or an onclick handler, if one got through, still runs and is caught.
STOP_LEAVING_THE_PAGE = """
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href]");
  if (link && ["http:", "https:", "mailto:"].includes(new URL(link.href, location.href).protocol)) {
    event.preventDefault();
  }
}, true);
"""


@pytest.fixture
def xss_thread(member, other_member, category):
    thread = make_thread(author=other_member, category=category, title="Every trick in the book", body="\n\n".join(XSS_VECTORS))
    for vector in XSS_VECTORS:
        make_reply(thread=thread, author=member, body=vector)
    return thread


@pytest.fixture
def watched_page(new_page, live_server):
    """A page that records every dialog and CSP violation and never reaches outside the live server."""

    def make(**kwargs):
        page = new_page(**kwargs)
        page.dialogs = []

        def on_dialog(dialog):
            page.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        page.add_init_script(STOP_LEAVING_THE_PAGE)
        own_host = urlsplit(live_server.url).netloc
        page.route(
            "**/*",
            lambda route: route.continue_() if urlsplit(route.request.url).netloc == own_host else route.abort(),
        )
        return page

    return make


def assert_nothing_injected(page, containers=".post-body"):
    found = page.evaluate(FIND_INJECTED_MARKUP, containers)
    assert found["containers"] > 0, f"no {containers} on {page.url}"
    assert page.dialogs == [], page.url
    assert found["xss"] == "undefined", page.url
    assert found["foreignScripts"] == [], page.url
    assert found["problems"] == [], page.url
    assert found["cspViolations"] == [], page.url


def poke_every_link_and_image(page, containers=".post-body"):
    """Hover every link and image in the posts and click every link, as a curious reader would."""
    url = page.url
    targets = page.locator(f":is({containers}) :is(a, img)")
    count = targets.count()
    assert count > 0
    for index in range(count):
        target = targets.nth(index)
        if not target.is_visible():
            continue
        target.hover()
        if target.evaluate("element => element.tagName") == "A":
            target.click(no_wait_after=True)
    page.mouse.move(0, 0)
    assert page.url == url
    assert page.dialogs == []


def test_thread_full_of_xss_vectors_is_inert_on_every_page_for_a_visitor(watched_page, xss_thread):
    page = watched_page()
    assert xss_thread.posts.count() == len(XSS_VECTORS) + 1
    for number in (1, 2, 3):
        page.goto(f"{xss_thread.get_absolute_url()}?page={number}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Every trick in the book")
        first_on_page = (number - 1) * 20 + 1
        expect(page.locator(f"#post-{first_on_page}")).to_be_visible()
        assert_nothing_injected(page)
        poke_every_link_and_image(page)
        assert_nothing_injected(page)
    # The last page holds the last six replies (posts 41-46).
    expect(page.locator("section.post")).to_have_count(6)


def test_xss_vectors_show_up_as_harmless_text(watched_page, xss_thread):
    page = watched_page()
    page.goto(xss_thread.get_absolute_url())
    # Post 2 is the reply with the first vector: raw HTML is escaped, so the reader sees the source text.
    expect(page.locator("#post-2 .post-body")).to_have_text("<script>window.__xss=1;alert(1)</script>")
    expect(page.locator("#post-1 .post-body")).to_contain_text("<img src=x onerror=alert(1)>")
    assert_nothing_injected(page)


def test_thread_full_of_xss_vectors_is_inert_for_a_signed_in_member_who_can_like_and_reply(watched_page, xss_thread, other_member):
    page = watched_page(user=other_member)
    for number in (1, 2, 3):
        page.goto(f"{xss_thread.get_absolute_url()}?page={number}")
        expect(page.locator("#reply").get_by_role("button", name="Reply")).to_be_visible()
        assert_nothing_injected(page)
        poke_every_link_and_image(page)
        assert_nothing_injected(page)


def test_quoting_a_post_full_of_xss_vectors_puts_its_text_in_the_reply_box_and_nothing_runs(watched_page, xss_thread, member):
    first_post = xss_thread.posts.get(number=1)
    page = watched_page(user=member)
    page.goto(f"{xss_thread.get_absolute_url()}?page=3&quote={first_post.pk}#reply")
    reply_box = page.locator("#reply").get_by_role("textbox")
    expect(reply_box).to_have_value(re.compile(re.escape("> <script>window.__xss=1;alert(1)</script>")))
    assert_nothing_injected(page)


def test_previewing_xss_vectors_in_the_editor_renders_them_inert(watched_page, xss_thread, member):
    page = watched_page(user=member)
    page.goto(f"{xss_thread.get_absolute_url()}?page=3")
    reply_form = page.locator("#reply")
    reply_form.get_by_role("textbox").fill("Preview check\n\n" + "\n\n".join(XSS_VECTORS))
    reply_form.get_by_role("button", name="Preview").click()
    preview = reply_form.locator(".preview")
    expect(preview).to_contain_text("Preview check")
    expect(preview).to_contain_text("<script>window.__xss=1;alert(1)</script>")
    assert_nothing_injected(page, containers=".preview")
    poke_every_link_and_image(page, containers=".preview")
    assert_nothing_injected(page, containers=".post-body")
    # Previewing posts nothing.
    assert Post.objects.filter(thread=xss_thread).count() == len(XSS_VECTORS) + 1


def test_search_results_and_profile_show_xss_vectors_as_text(watched_page, xss_thread, member):
    page = watched_page()
    page.goto("/search/?q=alert")
    expect(page.locator("li.search-hit").first).to_be_visible()
    expect(page.locator(".snippet mark").first).to_be_visible()
    assert_nothing_injected(page, containers=".snippet")

    page.goto(f"/u/{member.username}/")
    expect(page.locator("li.search-hit").first).to_be_visible()
    assert_nothing_injected(page, containers=".snippet")
