"""axe-core in a real browser: no serious or critical problem on the main pages, light and dark, phone and desktop.

axe-core 4.14.1 (npm registry), vendored whole with its licence header as static/vendor/axe.min.js.
The dark theme is the beta feature members switch on (html[data-theme=dark]); the site does not follow
the system's scheme, so visitors are checked with the browser set to dark as well, and the signed-in
pages in dark are seen by members who switched the theme on.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.expertise.services import expert_appoint
from community.members.models import Profile, Tier
from community.notifications.models import Kind
from community.notifications.services import notify
from forums import services as forum_services
from loyalty import badges, ledger
from loyalty.models import BadgeAward, Reason
from moderation.services import flag_post, grant_role
from tests.factories import CategoryFactory, TagFactory, UserFactory, make_reply, make_thread

# Served from the site itself: the Content Security Policy refuses inline scripts, axe included.
AXE_URL = "/static/vendor/axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(" ") + " — " + [...n.any, ...n.all, ...n.none].map((c) => c.message).join("; ")).slice(0, 4),
  }));
}
"""


@pytest.fixture
def community(manager):
    """A small community with something of everything the pages show: a newcomer's solved thread with
    likes, flairs and an accepted answer, a newcomer waiting in the queue, a flagged post, badges,
    points, notifications, experts and someone celebrating today."""
    help_desk = CategoryFactory(name="Help", slug="help", colour="#22689b")
    baking = TagFactory(name="sourdough")
    member = UserFactory(username="mo", display_name="Mo Member", tier=Tier.MEMBER)
    newcomer = UserFactory(username="nell", display_name="Nell Newcomer", tier=Tier.NEWCOMER)
    expert = UserFactory(username="eva", display_name="Eva Expert", tier=Tier.REGULAR)
    moderator = UserFactory(username="max", display_name="Max Moderator", tier=Tier.CHAMPION, flair_text="Night owl")
    grant_role(member=moderator, granted_by=manager)
    expert_appoint(member=expert, tags=[baking], appointed_by=manager)

    thread = make_thread(author=newcomer, category=help_desk, title="My sourdough starter smells of nail varnish",
                         body="It was fine last week. Is it dead?", tags=[baking])
    answer = make_reply(thread=thread, author=expert, body="Feed it twice a day for three days, @mo knows too.")
    make_reply(thread=thread, author=moderator, body="Welcome! Keep it somewhere warm.")
    make_reply(thread=thread, author=newcomer, body="Thank you all, it bubbles again.")
    forum_services.answer_accept(thread=thread, post=answer, member=newcomer)
    forum_services.like_add(post=answer, member=member)
    forum_services.like_add(post=answer, member=moderator)
    spam = make_reply(thread=thread, author=UserFactory(username="spammy", tier=Tier.MEMBER),
                      body="Cheap watches for sourdough lovers")
    flag_post(post=spam, flagger=member, reason="spam")
    make_thread(author=UserFactory(username="nina", tier=Tier.NEWCOMER), category=help_desk,
                title="Which flour for a sourdough starter?", body="Rye or wheat?", tags=[baking])

    now = timezone.now()
    awarded = badges.ensure_badges()
    for person in (member, expert):
        for slug in ("welcome", "problem-solver", "kudos-giver"):
            BadgeAward.objects.create(member=person, badge=awarded[slug], created_at=now)
    ledger.award(member_id=expert.pk, reason=Reason.ANSWER_ACCEPTED, source_type="post", source_id=answer.pk)
    ledger.award(member_id=member.pk, reason=Reason.REPLY_POSTED, source_type="post", source_id=spam.pk)
    today = timezone.localdate()
    Profile.objects.update_or_create(user=member, defaults={"birthday_day": today.day, "birthday_month": today.month})
    for person in (member, moderator, manager):
        notify(recipient=person, kind=Kind.REPLY, dedupe_key="a11y-reply", actor=expert, thread=thread, post=answer,
               text="Eva Expert replied to a thread you watch")
        # Not about the thread: reading the thread leaves this one unread.
        notify(recipient=person, kind=Kind.BADGE, dedupe_key="a11y-badge", text="You earned the Welcome badge")
        read = notify(recipient=person, kind=Kind.LIKE, dedupe_key="a11y-like", actor=expert, thread=thread,
                      text="Eva Expert liked your post")
        read.read_at = now - timedelta(hours=1)
        read.save(update_fields=["read_at"])
    # An event the member is going to (their ticket shows), full, with someone waiting.
    from community.events import services as event_services
    from tests.factories import make_event

    event = make_event(host=manager, category=help_desk, title="Sourdough workshop", capacity=1,
                       address="Bakers' Hall, 1 Flour Street")
    event_services.rsvp_set(event=event, member=member, status="going")
    event_services.rsvp_set(event=event, member=expert, status="going")
    return {"thread": thread, "member": member, "moderator": moderator, "manager": manager, "category": help_desk,
            "event": event}


def _pages(community):
    thread = community["thread"].get_absolute_url()
    profile = f"/u/{community['member'].username}/"
    category = f"/c/{community['category'].slug}/"
    event = f"/events/{community['event'].pk}/"
    return {
        None: ["/", category, thread, "/search/?q=sourdough", profile, "/leaderboard/", "/experts/",
               "/accounts/login/", "/accounts/signup/", "/events/"],
        "member": ["/", thread, "/search/?q=sourdough", profile, "/loyalty/", "/leaderboard/", "/notifications/",
                   "/events/", event, "/events/calendar/"],
        "moderator": ["/review/", thread],
        "manager": ["/queue/", "/experts/", profile, f"{event}attendees/", "/events/new/"],
    }


def _shown(community):
    """What the issue found unreadable in the dark, by page: the check fails if a page stops showing it."""
    return {
        "/": [".celebrations", ".filters a[aria-current]"],
        community["thread"].get_absolute_url(): [".newcomer-notice", ".accepted-answer", ".pill-solved", ".flair", ".user-flair"],
        f"/u/{community['member'].username}/": [".badge-chip"],
        "/loyalty/": [".badge-chip"],
        "/notifications/": [".notification.unread"],
        "/leaderboard/": [".filters a[aria-current]"],
        "/queue/": [".figures-table", ".queue-row"],
        "/review/": ["li.queue-row[id^=review-item]"],
    }


def _switch_dark_theme_on(people):
    """The dark theme is a beta feature of tier 3 and above, switched on in the settings."""
    for person in people:
        type(person).objects.filter(pk=person.pk).update(tier=max(person.tier, Tier.CHAMPION), beta_features=["dark_theme"])


def _axe(page, where, problems):
    """Run axe on the page as it is now; note every serious or critical violation, one line per element."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] in BLOCKING:
            problems += [f"{where}: {violation['id']} ({violation['impact']}) {node}" for node in violation["nodes"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_serious_accessibility_problems_at_1280_and_375_px(new_page, community, scheme):
    if scheme == "dark":
        _switch_dark_theme_on([community[role] for role in ("member", "moderator", "manager")])
    problems = []
    shown = _shown(community)
    for role, paths in _pages(community).items():
        user = type(community[role]).objects.get(pk=community[role].pk) if role else None
        page = new_page(user=user, width=1280, height=900, color_scheme=scheme)
        for path in paths:
            where = f"{role or 'visitor'} {path}"
            response = page.goto(path)
            assert response.status == 200, f"{where} answered {response.status}"
            assert (page.locator("html").get_attribute("data-theme") == "dark") == (scheme == "dark" and role is not None)
            for selector in shown.get(path, ()):
                assert page.locator(selector).count(), f"{where} shows no {selector}: axe would not see it"
            _axe(page, f"{where} at 1280 px", problems)
            # The same page on a phone: the layout changes, the page stays.
            page.set_viewport_size({"width": 375, "height": 800})
            _axe(page, f"{where} at 375 px", problems)
            page.set_viewport_size({"width": 1280, "height": 900})
        # The phone's menus, each open in turn (opening one folds the other).
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(paths[0])
        for menu in page.locator("header summary").all():
            menu.click()
            _axe(page, f"{role or 'visitor'} {paths[0]} at 375 px, {menu.inner_text() or menu.get_attribute('aria-label')} open", problems)
    assert not problems, "\n".join(problems)
