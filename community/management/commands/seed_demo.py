"""Build the demo community deterministically (fixed seed) with bulk inserts.

Default: 200+ members, 8 categories, 2,000 threads, 20,000 posts. `--size large`: 10k members,
50k threads, 500k posts; plus, in both, the ideas (about twenty threads and their answers) and the
events' discussions (one thread each, fifteen), posted through the services. Every role has its work
waiting: moderation is played through the real services (flags, review, the nightly candidates job).
Running it again when the demo is loaded does nothing.
"""

import io
import logging
import random
import time
from contextlib import contextmanager
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from community import demo_buddies, demo_events, demo_history, demo_ideas
from community import demo_content as words
from community.expertise.models import Expertise
from community.members.models import MANAGERS_GROUP, Tier, User
from forums import services as forum_services
from forums.markup import render_markdown
from forums.models import Category, Post, Reaction, Subscription, Tag, Thread
from forums.synchronize import synchronize_forums
from loyalty import badges, ledger, tiers
from loyalty.models import LoyaltyAccount, Reward
from moderation import promotion, watched_words
from moderation import services as moderation
from moderation.models import Flag, ReviewItem, WatchedWord

SIZES = {
    "default": {"members": 200, "threads": 2_000, "posts": 20_000},
    "large": {"members": 10_000, "threads": 50_000, "posts": 500_000},
}
DEMO_PASSWORD = "roundtable-demo"
DEMO_ACCOUNTS = [
    # username, display name, tier, manager?, superuser?
    ("admin", "Ada Admin", Tier.LEADER, True, True),
    ("manager", "Mia Manager", Tier.LEADER, True, False),
    ("moderator", "Max Moderator", Tier.CHAMPION, False, False),
    ("catmod", "Cleo Catmod", Tier.REGULAR, False, False),
    ("expert", "Eva Expert", Tier.REGULAR, False, False),
    ("member", "Mo Member", Tier.MEMBER, False, False),
    ("newcomer", "Nell Newcomer", Tier.NEWCOMER, False, False),
]
SEED = 20261123
# What the moderation demo posts through the services (the spammer's thread of adverts, two flagged
# replies, two held ones); the bulk content leaves room for it, so the totals stay as stated above.
MODERATION_THREADS = 1
MODERATION_POSTS = len(words.SPAM_POSTS) + 2 + len(words.HELD_POSTS)
BODY_POOL_SIZE = 600
THREAD_CHUNK = 2_000


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


class Command(BaseCommand):
    help = "Load the demo community (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="default")

    def handle(self, *args, size, **options):
        if User.objects.filter(username="manager").exists() and Thread.objects.exists():
            self.stdout.write("The demo community is already loaded; nothing to do.")
            return
        started = time.monotonic()
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        spec = SIZES[size]
        self.password_hash = make_password(DEMO_PASSWORD)
        # All or nothing: a seed that fails half way leaves no half community behind to be taken as loaded.
        with transaction.atomic():
            members = self._members(spec["members"])
            categories = self._categories()
            tags = self._tags()
            self.stdout.write(f"members, categories and tags: {time.monotonic() - started:.1f}s")
            self.bodies = self._body_pool(members)
            # A year of newcomer journeys first; the rest of the threads and posts fill the size's totals.
            history_started = time.monotonic()
            self.history = demo_history.newcomer_journeys(
                size=size, now=self.now, rng=self.rng, regulars=[m for m in members if m.tier >= Tier.MEMBER],
                categories=[c for c in categories if not c.is_read_only], bodies=self.bodies, password_hash=self.password_hash)
            visits = demo_history.regular_visits(now=self.now, rng=self.rng, members=members)
            self.stdout.write(f"a year of newcomers ({len(self.history.members)} sign-ups, {self.history.posts} posts) "
                              f"and {visits} visit days: {time.monotonic() - history_started:.1f}s")
            self._threads_and_posts(members, categories, tags, {
                "threads": spec["threads"] - MODERATION_THREADS - self.history.threads,
                "posts": spec["posts"] - MODERATION_POSTS - self.history.posts})
            synchronize_forums()
            self._first_responses_and_answers()
            self._experts(members, tags)
            self._loyalty(members)
            moderation_started = time.monotonic()
            with _quiet("forums.services"):  # one log line per service post is for the site, not the seed
                self._moderation(members, categories)
            self.stdout.write(f"moderation through the services: {time.monotonic() - moderation_started:.1f}s")
            with _quiet("forums.services"):
                ideas = demo_ideas.seed_ideas(now=self.now, rng=self.rng)
            self.stdout.write(f"ideas: {ideas['ideas']} with {ideas['votes']} votes, {ideas['announced']} announced")
            with _quiet("forums.services"):
                events = demo_events.seed_events(now=self.now, rng=self.rng)
            full = f"one full with {events['waiting']} waiting" if events["full"] == 1 else f"{events['full']} full"
            self.stdout.write(f"events: {events['past']} past ({events['check_ins']} check-ins), "
                              f"{events['upcoming']} upcoming ({full}), {events['rsvps']} answers")
            buddies = demo_buddies.seed_buddies(now=self.now, rng=self.rng)
            self.stdout.write(f"buddies: {buddies['volunteers']} volunteers, {buddies['matches']} newcomers matched")
            # The ideas' and events' history is back-dated: each category's latest thread is read again.
            synchronize_forums()
        # The moderation step's hides and deletes were settled by jobs sent after commit; settle them
        # here too (the same idempotent step), so the ledger matches its sources before a worker runs.
        # (It does not judge event points: the events seed settled those itself, one per check-in.)
        settled = time.monotonic()
        call_command("loyalty_rebuild", stdout=io.StringIO())
        self.stdout.write(f"ledger settled against its sources: {time.monotonic() - settled:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"Demo community ready ({size}): {User.objects.count()} members, {Thread.objects.count()} threads, "
            f"{Post.objects.count()} posts in {time.monotonic() - started:.1f}s."
        ))

    # Members ------------------------------------------------------------------------------------

    def _members(self, count: int) -> list[User]:
        managers, _created = Group.objects.get_or_create(name=MANAGERS_GROUP)
        demo = []
        for username, display_name, tier, is_manager, is_superuser in DEMO_ACCOUNTS:
            joined = self.now - timedelta(days=2 if tier == Tier.NEWCOMER else 400)
            user = User.objects.create(
                username=username, email=f"{username}@roundtable.local", display_name=display_name, tier=tier,
                password=self.password_hash, date_joined=joined, is_staff=is_superuser, is_superuser=is_superuser,
            )
            if is_manager:
                user.groups.add(managers)
            demo.append(user)
        names = set()
        people = []
        while len(people) < count:
            first, last = self.rng.choice(words.FIRST_NAMES), self.rng.choice(words.LAST_NAMES)
            username = f"{first}_{last}" if (first, last) not in names else f"{first}_{last}{len(people)}"
            names.add((first, last))
            newcomer = self.rng.random() < 0.15
            # Regulars joined before the oldest demo thread; newcomers in the last three days.
            joined_days = self.rng.uniform(0.2, 3) if newcomer else self.rng.uniform(730, 1500)
            tier = Tier.NEWCOMER if newcomer else self.rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            people.append(User(
                username=username, email=f"{username}@example.org", display_name=f"{first.title()} {last.title()}",
                password=self.password_hash, date_joined=self.now - timedelta(days=joined_days), tier=tier,
                timezone=self.rng.choice(["UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
            ))
        people = User.objects.bulk_create(people, batch_size=5_000)
        everyone = demo + people
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in everyone], batch_size=5_000
        )
        return everyone

    def _first_responses_and_answers(self) -> None:
        """What the services record as people reply and accept answers, done in bulk."""
        with connection.cursor() as cursor:
            cursor.execute("""
                UPDATE forums_thread t SET first_response_at = f.created_at, first_responder_id = f.author_id
                FROM (
                    SELECT DISTINCT ON (p.thread_id) p.thread_id, p.created_at, p.author_id
                    FROM forums_post p JOIN forums_thread t2 ON t2.id = p.thread_id
                    WHERE p.author_id <> t2.author_id AND NOT p.is_deleted
                    ORDER BY p.thread_id, p.number
                ) f
                WHERE t.id = f.thread_id
            """)
            # About a third of answered threads have an accepted answer: a reply by someone else, fixed by the seed.
            cursor.execute("""
                UPDATE forums_thread t SET accepted_answer_id = a.post_id
                FROM (
                    SELECT DISTINCT ON (p.thread_id) p.thread_id, p.id AS post_id
                    FROM forums_post p JOIN forums_thread t2 ON t2.id = p.thread_id
                    WHERE p.number > 1 AND p.author_id <> t2.author_id AND t2.id % 3 = 0
                    ORDER BY p.thread_id, p.like_count DESC, p.number
                ) a
                WHERE t.id = a.thread_id
            """)

    def _experts(self, members, tags) -> None:
        by_name = {m.username: m for m in members}
        manager = by_name["manager"]
        tag_by_name = {t.name: t for t in tags}
        rows = [Expertise(member=by_name["expert"], tag=tag_by_name[name], appointed_by=manager, created_at=self.now)
                for name in ("python", "django", "postgres", "beginners")]
        demo_names = {account[0] for account in DEMO_ACCOUNTS}
        seasoned = [m for m in members if m.tier >= Tier.REGULAR and m.username not in demo_names]
        for tag in tags:
            for member in self.rng.sample(seasoned, k=min(2, len(seasoned))):
                rows.append(Expertise(member=member, tag=tag, appointed_by=manager, created_at=self.now))
        Expertise.objects.bulk_create(rows, ignore_conflicts=True)

    def _loyalty(self, members) -> None:
        """The ledger the demo's history would have written, accounts derived from it, rewards to spend on."""
        # What loyalty.earnings gives for this history (every post is visible at this point), in one
        # statement: posts, first replies to newcomers, accepted answers, and likes within the daily cap.
        amount = {reason: ledger.rule_for(reason) for reason in (
            "thread_started", "reply_posted", "first_reply_to_newcomer", "answer_accepted", "like_received")}
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO loyalty_pointsentry (member_id, amount, reason, source_type, source_id, category_id, created_at)
                SELECT p.author_id, CASE WHEN p.number = 1 THEN %(thread_started)s ELSE %(reply_posted)s END,
                       CASE WHEN p.number = 1 THEN 'thread_started' ELSE 'reply_posted' END,
                       'post', p.id::text, t.category_id, p.created_at
                FROM forums_post p JOIN forums_thread t ON t.id = p.thread_id
                UNION ALL
                SELECT t.first_responder_id, %(first_reply)s, 'first_reply_to_newcomer', 'thread', t.id::text, t.category_id,
                       t.first_response_at
                FROM forums_thread t WHERE t.is_newcomer_thread AND t.first_responder_id IS NOT NULL
                UNION ALL
                SELECT p.author_id, %(answer)s, 'answer_accepted', 'post', p.id::text, t.category_id, p.created_at
                FROM forums_thread t JOIN forums_post p ON p.id = t.accepted_answer_id
                UNION ALL
                SELECT p.author_id,
                       CASE WHEN row_number() OVER (PARTITION BY p.author_id, date_trunc('day', r.created_at)
                                                    ORDER BY r.created_at, r.id) <= %(like_cap)s THEN %(like)s ELSE 0 END,
                       'like_received', 'like', p.id::text || ':' || r.member_id::text, t.category_id, r.created_at
                FROM forums_reaction r JOIN forums_post p ON p.id = r.post_id JOIN forums_thread t ON t.id = p.thread_id
                WHERE r.member_id <> p.author_id
                ON CONFLICT DO NOTHING
            """, {"thread_started": amount["thread_started"].amount, "reply_posted": amount["reply_posted"].amount,
                  "first_reply": amount["first_reply_to_newcomer"].amount, "answer": amount["answer_accepted"].amount,
                  "like": amount["like_received"].amount, "like_cap": amount["like_received"].daily_cap or 10**9})
        ledger.rebuild_accounts()
        by_name = {m.username: m for m in members}
        for username in ("manager", "moderator", "expert", "member", "newcomer"):
            member = by_name[username]
            badges.award_earned_badges(member, tiers.stats_for(member))
        Reward.objects.bulk_create([
            # Names and descriptions are catalogue msgids: the rewards page shows them in the reader's language.
            Reward(name=gettext_noop("Roundtable sticker pack"), description=gettext_noop("Five vinyl stickers, posted to you."),
                   cost=50, stock=200),
            Reward(name=gettext_noop("Meetup ticket"), description=gettext_noop("A seat at the next community meetup."),
                   cost=300, stock=20, min_tier=1),
            Reward(name=gettext_noop("Early access to beta features"), description=gettext_noop("Try new features before everyone else."),
                   cost=150, min_tier=2),
            Reward(name=gettext_noop("Roundtable hoodie"), description=gettext_noop("Warm, soft, and a little bit famous."),
                   cost=1500, stock=5, min_tier=2),
        ])
        # Managers tune earning rules, tiers and rewards in the admin.
        managers = Group.objects.get(name=MANAGERS_GROUP)
        managers.permissions.add(*Permission.objects.filter(
            content_type__app_label="loyalty", content_type__model__in=["earningrule", "tierrequirement", "reward", "redemption", "badge"]))
        User.objects.filter(username="manager").update(is_staff=True)

    # Moderation ---------------------------------------------------------------------------------

    def _moderation(self, members, categories) -> None:
        """Moderation as the site records it, through its services: a site-wide moderator and one of a
        single category; a spammer two members flagged away (their accurate flags make them the
        candidates the nightly job finds); and flagged and held posts waiting in /review/, in the
        category moderator's category and elsewhere."""
        by_name = {m.username: m for m in members}
        manager, moderator = by_name["manager"], by_name["moderator"]
        by_slug = {c.slug: c for c in categories}
        moderation.grant_role(member=moderator, granted_by=manager)
        moderation.grant_role(member=by_name["catmod"], category=by_slug[words.CATEGORY_MODERATOR_OF], granted_by=manager)
        WatchedWord.objects.create(word=words.HOLD_WORD, action=WatchedWord.Action.HOLD)
        watched_words.forget()

        demo_names = {account[0] for account in DEMO_ACCOUNTS}
        others = sorted((m for m in members if m.username not in demo_names), key=lambda m: m.username)
        scores = dict(LoyaltyAccount.objects.values_list("member_id", "score_90d"))
        champions = sorted((m for m in others if m.tier == Tier.CHAMPION), key=lambda m: (-scores.get(m.pk, 0), m.username))
        flaggers = champions[:2]

        # History: a spammer's ten adverts, each flagged by both, hidden at once (a trusted flag on a
        # newcomer's post), kept hidden by the moderator; the account disabled, the thread deleted.
        spammer = User.objects.create(
            username=words.SPAMMER, email=f"{words.SPAMMER}@example.org", password=self.password_hash,
            date_joined=self.now - timedelta(hours=6), tier=Tier.NEWCOMER,
        )
        thread = forum_services.thread_create(author=spammer, category=by_slug["off-topic"], title=words.SPAM_TITLE,
                                              body=words.SPAM_POSTS[0])
        adverts = [thread.posts.get()] + [forum_services.reply_create(thread=thread, author=spammer, body=body)
                                          for body in words.SPAM_POSTS[1:]]
        for advert in adverts:
            for flagger in flaggers:  # each flag is its own request, reading the post afresh
                moderation.flag_post(post=Post.objects.get(pk=advert.pk), flagger=flagger, reason=Flag.Reason.SPAM)
            moderation.resolve(item=ReviewItem.objects.get(post=advert, status=ReviewItem.Status.PENDING), moderator=moderator,
                               action="hide", reason=words.SPAM_REASON)
        moderation.delete_spammer(member=spammer, manager=manager)
        moderation.moderator_delete_post(post=adverts[0], moderator=moderator, reason=words.SPAM_REASON)
        # One flag the moderator disagreed with: the second candidate's accuracy is high, not perfect.
        fine_post = Post.objects.filter(thread__category=by_slug["show-and-tell"], number=2).order_by("id").first()
        moderation.flag_post(post=fine_post, flagger=flaggers[1], reason=Flag.Reason.OFF_TOPIC)
        moderation.resolve(item=ReviewItem.objects.get(post=fine_post, status=ReviewItem.Status.PENDING), moderator=moderator,
                           action="approve")
        promotion.find_candidates()  # the nightly job, run now: the two flaggers are its candidates

        # Waiting now: in the category moderator's category and elsewhere, flagged and held.
        def latest_threads(slug: str, count: int) -> list[Thread]:
            return list(Thread.objects.filter(category=by_slug[slug], is_newcomer_thread=False, is_deleted=False, is_locked=False)
                        .order_by("-last_posted_at", "-id")[:count])

        regulars = [m for m in others if m.tier in (Tier.MEMBER, Tier.REGULAR)]
        newcomers = [m for m in others if m.tier == Tier.NEWCOMER]
        help_threads = latest_threads(words.CATEGORY_MODERATOR_OF, 2)
        off_topic = forum_services.reply_create(thread=help_threads[0], author=regulars[0], body=words.FLAGGED_OFF_TOPIC)
        moderation.flag_post(post=off_topic, flagger=by_name["member"], reason=Flag.Reason.OFF_TOPIC)
        rude = forum_services.reply_create(thread=latest_threads("show-and-tell", 1)[0], author=regulars[1], body=words.FLAGGED_ABUSIVE)
        for flagger in regulars[2:5]:  # enough flags to hide it at once
            moderation.flag_post(post=Post.objects.get(pk=rude.pk), flagger=flagger, reason=Flag.Reason.ABUSIVE)
        # Held by the watched word once the seed commits (moderation's post_created receiver), as on the site.
        forum_services.reply_create(thread=help_threads[1], author=newcomers[0], body=words.HELD_POSTS[0])
        forum_services.reply_create(thread=latest_threads("off-topic", 1)[0], author=newcomers[1], body=words.HELD_POSTS[1])

    def _categories(self) -> list[Category]:
        return Category.objects.bulk_create([
            Category(name=name, slug=slug, description=description, colour=colour, is_read_only=read_only, position=i)
            for i, (name, slug, description, colour, read_only) in enumerate(words.CATEGORIES)
        ])

    def _tags(self) -> list[Tag]:
        return Tag.objects.bulk_create([Tag(name=name) for name in words.TAGS])

    # Content ------------------------------------------------------------------------------------

    def _body_pool(self, members: list[User]) -> dict[str, list[tuple[str, str]]]:
        """Pre-rendered bodies per language, reused across posts: rendering 500k posts one by one is not the point.

        The Russian category gets Russian bodies (every word of them, quotes and thanks included); the others English.
        """
        pool = {"en": [], "ru": []}
        names = [m.username for m in members[:60]]
        for i in range(BODY_POOL_SIZE):
            language = "ru" if i % 5 == 0 else "en"
            sentences = words.SENTENCES_RU if language == "ru" else words.SENTENCES_EN
            parts = [" ".join(self.rng.sample(sentences, k=min(3, len(sentences))))]
            if self.rng.random() < 0.3:
                parts.append("- " + "\n- ".join(self.rng.sample(sentences, k=2)))
            if self.rng.random() < 0.25:
                parts.append(self.rng.choice(words.CODE_SNIPPETS))
            if self.rng.random() < 0.15:
                agree = "Согласен, **полностью**." if language == "ru" else "I agree with this, **strongly**."
                parts.append(f"> {self.rng.choice(sentences)}\n\n{agree}")
            if self.rng.random() < 0.1:
                thanks = "Спасибо @{name} за подсказку, см. {url}" if language == "ru" else "Thanks @{name} for the hint, see {url}"
                parts.append(thanks.format(name=self.rng.choice(names), url="https://docs.djangoproject.com/"))
            body = "\n\n".join(parts)
            pool[language].append((body, render_markdown(body, known_usernames=set(names)).html))
        return pool

    def _title(self, russian: bool) -> str:
        rng = self.rng
        if russian:
            return rng.choice(words.TITLES_RU).format(
                verb_ru=rng.choice(words.VERBS_RU), thing_ru=rng.choice(words.THINGS_RU), tool=rng.choice(words.TOOLS))
        tool = rng.choice(words.TOOLS)
        return rng.choice(words.TITLES_EN).format(
            verb=rng.choice(words.VERBS), thing=rng.choice(words.THINGS), tool=tool, Tool=tool)

    def _threads_and_posts(self, members, categories, tags, spec) -> None:
        regulars = [m for m in members if m.tier >= Tier.MEMBER]
        newcomers = [m for m in members if m.tier == Tier.NEWCOMER]
        open_categories = [c for c in categories if not c.is_read_only]
        announcements = next(c for c in categories if c.is_read_only)
        managers = [m for m in members if m.username in ("manager", "admin")]
        reply_budget = spec["posts"] - spec["threads"]
        thread_total = spec["threads"]
        made = 0
        while made < thread_total:
            chunk = min(THREAD_CHUNK, thread_total - made)
            started = time.monotonic()
            with transaction.atomic():
                self._chunk(chunk, made, thread_total, reply_budget, regulars, newcomers, open_categories,
                            announcements, managers, tags)
            made += chunk
            self.stdout.write(f"threads {made}/{thread_total} ({time.monotonic() - started:.1f}s)")

    def _chunk(self, count, offset, thread_total, reply_budget, regulars, newcomers, categories, announcements,
               managers, tags) -> None:
        rng = self.rng
        age_days = 720
        plans = []
        for i in range(count):
            index = offset + i
            # Spread threads over two years, newest last; the last 3% are recent newcomer questions.
            created = self.now - timedelta(days=age_days * (1 - index / thread_total)) - timedelta(minutes=rng.uniform(30, 600))
            recent_newcomer = bool(newcomers) and index >= thread_total * 0.97
            if recent_newcomer:  # newcomers' threads are from the days since they joined
                created = self.now - timedelta(hours=rng.uniform(0.3, 60))
            if index % 97 == 0:
                author, category = rng.choice(managers), announcements
            elif recent_newcomer:
                author, category = rng.choice(newcomers), rng.choice(categories)
            else:
                author, category = rng.choice(regulars), rng.choice(categories)
            unanswered = recent_newcomer and rng.random() < 0.6
            weight = 0.0 if unanswered else rng.expovariate(1)
            russian = category.slug == "ru"
            thread = Thread(
                category=category, author=author, title=self._title(russian), created_at=created,
                last_posted_at=created, last_poster=author, is_newcomer_thread=author.tier == Tier.NEWCOMER,
            )
            thread.slug = slugify(thread.title, allow_unicode=True)[:80] or "-"
            plans.append([thread, weight, rng.sample(tags, k=rng.randint(0, 3))])
        # Share this chunk's replies out by weight so the totals come out exact; every thread not
        # meant to stay unanswered gets at least one reply.
        budget = reply_budget * (offset + count) // thread_total - reply_budget * offset // thread_total
        answered_count = sum(1 for plan in plans if plan[1] > 0)
        total_weight = sum(plan[1] for plan in plans) or 1.0
        for plan in plans:
            plan[1] = 1 + int(plan[1] / total_weight * (budget - answered_count)) if plan[1] > 0 else 0
        answered = [plan for plan in plans if plan[1] > 0] or plans
        for _ in range(budget - sum(plan[1] for plan in plans)):
            rng.choice(answered)[1] += 1
        threads = Thread.objects.bulk_create([plan[0] for plan in plans], batch_size=2_000)
        Thread.tags.through.objects.bulk_create(
            [Thread.tags.through(thread_id=t.pk, tag_id=tag.pk) for t, (_x, _r, ts) in zip(threads, plans, strict=False) for tag in ts],
            batch_size=10_000,
        )
        posts, subscriptions = [], []
        russian_category_id = next((c.pk for c in categories if c.slug == "ru"), None)
        for thread, (_plan, replies, _tags) in zip(threads, plans, strict=False):
            span = max(60.0, (self.now - thread.created_at).total_seconds() * 0.9)
            times = sorted(rng.uniform(60, span) for _ in range(replies))
            authors = [thread.author] + [rng.choice(regulars) for _ in range(replies)]
            bodies = self.bodies["ru" if thread.category_id == russian_category_id else "en"]
            for number, author in enumerate(authors, start=1):
                body, html = rng.choice(bodies)
                at = thread.created_at + timedelta(seconds=times[number - 2]) if number > 1 else thread.created_at
                posts.append(Post(thread_id=thread.pk, author_id=author.pk, number=number, body=body, body_html=html,
                                  created_at=at, like_count=0))
            subscriptions.append(Subscription(thread_id=thread.pk, member_id=thread.author_id, created_at=thread.created_at))
        posts = Post.objects.bulk_create(posts, batch_size=5_000)
        Subscription.objects.bulk_create(subscriptions, batch_size=10_000, ignore_conflicts=True)
        reactions = []
        for post in posts:
            if rng.random() < 0.35:
                for member in rng.sample(regulars, k=min(len(regulars), int(rng.expovariate(0.5)) + 1)):
                    if member.pk != post.author_id:
                        reactions.append(Reaction(post_id=post.pk, member_id=member.pk, created_at=post.created_at))
        Reaction.objects.bulk_create(reactions, batch_size=10_000, ignore_conflicts=True)
