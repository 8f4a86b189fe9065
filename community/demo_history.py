"""A believable year for the health dashboard: newcomers who joined week by week, asked a first question,
were answered fast, slowly or never, and stayed or left.

The odds follow what research on forums reports (a reply to a first post, and a fast one, makes a
newcomer likelier to come back), so the funnel, the cohorts and the "answered within the target"
split show a shape rather than noise. Written in bulk, like the rest of the demo; the seed's
synchronize step and ledger statement then count these posts like any other.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.text import slugify

from community import demo_content as words
from community.members.models import Tier, User
from forums.models import Post, Thread
from loyalty.models import TierChange, VisitDay

# How many newcomer journeys each demo size holds.
JOURNEYS = {"default": 300, "large": 3_000}
YEAR_DAYS = 365
# Chances that shape the funnel (fast = first reply within the first-response target).
ASKS_A_FIRST_QUESTION = 0.72
GETS_ANSWERED = 0.9
RETURNS_WITHIN_A_WEEK = {"fast": 0.66, "slow": 0.42, "never": 0.12}
POSTS_AGAIN_WHEN_BACK = 0.8
KEEPS_COMING_BACK = 0.86
# What the trust tiers ask, roughly (loyalty.defaults): posts and days since joining.
TIER_STEPS = ((Tier.MEMBER, 5, 3), (Tier.REGULAR, 15, 21))


@dataclass
class Journeys:
    members: list[User] = field(default_factory=list)
    threads: int = 0
    posts: int = 0
    # (member, old tier, new tier, when): for the tier history.
    tier_changes: list[tuple[User, int, int, datetime]] = field(default_factory=list)


def _joined_days_ago(rng) -> float:
    # Sign-ups grow over the year: more of them in recent weeks than a year ago.
    return max(0.5, YEAR_DAYS * (1 - math.sqrt(rng.random())))


def newcomer_journeys(*, size: str, now: datetime, rng, regulars, categories, bodies, password_hash) -> Journeys:
    target = timedelta(hours=settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS)
    result = Journeys()
    people = []
    for index in range(JOURNEYS[size]):
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        username = f"{first}_{last}_{index}"
        people.append(User(
            username=username, email=f"{username}@example.org", display_name=f"{first.title()} {last.title()}",
            password=password_hash, date_joined=now - timedelta(days=_joined_days_ago(rng)), tier=Tier.NEWCOMER,
            timezone=rng.choice(["UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
        ))
    people = User.objects.bulk_create(people, batch_size=5_000)
    result.members = people

    threads, plans, visits = [], [], set()
    for member in people:
        visits.add((member.pk, member.date_joined.date()))
        if rng.random() > ASKS_A_FIRST_QUESTION:
            continue  # signed up, looked around, never posted
        asked = member.date_joined + timedelta(days=rng.uniform(0.02, 3))
        if asked >= now:
            continue
        category = rng.choice(categories)
        thread = _thread(rng, member, category, asked)
        threads.append(thread)
        later, came_back_at = _posts_after_asking(rng, member, asked, now, target, regulars)
        plans.append((member, thread, later))
        if came_back_at is not None:  # a return visit, whether or not they posted again
            visits.add((member.pk, came_back_at.date()))
    threads = Thread.objects.bulk_create(threads, batch_size=5_000)
    posts = []
    for (member, _unsaved, later), saved in zip(plans, threads, strict=True):
        language = "ru" if saved.category.slug == "ru" else "en"
        times = [(saved.created_at, member), *later]
        for number, (at, author) in enumerate(times, start=1):
            body, html = rng.choice(bodies[language])
            posts.append(Post(thread_id=saved.pk, author_id=author.pk, number=number, body=body, body_html=html,
                              created_at=at, like_count=0))
            if author.pk == member.pk:
                visits.add((member.pk, at.date()))
        own = [at for at, author in times if author.pk == member.pk]
        result.tier_changes += _tiers_reached(member, own, now)
    Post.objects.bulk_create(posts, batch_size=5_000)
    VisitDay.objects.bulk_create([VisitDay(member_id=m, day=d) for m, d in sorted(visits)], batch_size=10_000,
                                 ignore_conflicts=True)
    reached = {member.pk: new for member, _old, new, _at in result.tier_changes}
    for member in people:
        member.tier = reached.get(member.pk, Tier.NEWCOMER)
    User.objects.bulk_update([m for m in people if m.tier != Tier.NEWCOMER], ["tier"], batch_size=5_000)
    TierChange.objects.bulk_create([TierChange(member=member, old_tier=old, new_tier=new, changed_at=at)
                                    for member, old, new, at in result.tier_changes], batch_size=5_000)
    result.threads, result.posts = len(threads), len(posts)
    return result


def _thread(rng, member, category, asked) -> Thread:
    russian = category.slug == "ru"
    if russian:
        title = rng.choice(words.TITLES_RU).format(
            verb_ru=rng.choice(words.VERBS_RU), thing_ru=rng.choice(words.THINGS_RU), tool=rng.choice(words.TOOLS))
    else:
        tool = rng.choice(words.TOOLS)
        title = rng.choice(words.TITLES_EN).format(verb=rng.choice(words.VERBS), thing=rng.choice(words.THINGS), tool=tool, Tool=tool)
    return Thread(category=category, author=member, title=title, slug=slugify(title, allow_unicode=True)[:80] or "-",
                  created_at=asked, last_posted_at=asked, last_poster=member, is_newcomer_thread=True)


def _posts_after_asking(rng, member, asked, now, target, regulars) -> tuple[list[tuple[datetime, User]], datetime | None]:
    """The replies in the newcomer's own thread (a first answer or none, the newcomer's own later posts) and
    when the newcomer came back (None: never)."""
    later: list[tuple[datetime, User]] = []
    answered_at = None
    if rng.random() < GETS_ANSWERED:
        wait = timedelta(hours=rng.lognormvariate(math.log(2.5), 1.1))
        if asked + wait < now:
            answered_at = asked + wait
            later.append((answered_at, rng.choice(regulars)))
    speed = "never" if answered_at is None else ("fast" if answered_at - asked <= target else "slow")
    if rng.random() > RETURNS_WITHIN_A_WEEK[speed]:
        return later, None  # never came back
    back = (answered_at or asked) + timedelta(days=rng.uniform(0.1, 6.5))
    if back >= now:
        return later, None
    if rng.random() > POSTS_AGAIN_WHEN_BACK:
        return later, back  # came back to read, did not post
    at = back
    while at < now:
        later.append((at, member))
        if rng.random() < 0.4:  # and often a second post the same day
            later.append((at + timedelta(minutes=rng.uniform(5, 90)), member))
        if rng.random() < 0.5:  # somebody answers the follow-up
            reply_at = at + timedelta(hours=rng.uniform(0.2, 20))
            if reply_at < now:
                later.append((reply_at, rng.choice(regulars)))
        gap = timedelta(days=rng.uniform(0.5, 4)) if rng.random() < KEEPS_COMING_BACK else None
        if gap is None:
            break
        at = at + gap
    later.sort(key=lambda item: item[0])
    return later, back


def _tiers_reached(member, own_posts: list[datetime], now: datetime) -> list[tuple[User, int, int, datetime]]:
    changes, tier = [], Tier.NEWCOMER
    for new_tier, posts_needed, days_needed in TIER_STEPS:
        if len(own_posts) < posts_needed:
            break
        at = max(own_posts[posts_needed - 1], member.date_joined + timedelta(days=days_needed))
        if at > now:
            break
        changes.append((member, tier, new_tier, at))
        tier = new_tier
    return changes


def regular_visits(*, now: datetime, rng, members, days: int = 120) -> int:
    """Days the established members came by, so daily, weekly and monthly actives have a history."""
    rows = []
    for member in members:
        if member.tier == Tier.NEWCOMER:
            continue
        habit = rng.choice((0.03, 0.08, 0.2, 0.45))  # from now and then to most days
        rows += [VisitDay(member_id=member.pk, day=(now - timedelta(days=day)).date())
                 for day in range(days) if rng.random() < habit]
    VisitDay.objects.bulk_create(rows, batch_size=10_000, ignore_conflicts=True)
    return len(rows)
