"""Badge rules. Each returns the source keys a member has earned ("" for once-only badges); awarding is by unique constraint."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from community.events import figures as event_figures
from community.events import selectors as event_selectors
from forums.selectors import accepted_answers_by_tag, liked_posts_of
from loyalty import ledger
from loyalty.models import Badge, BadgeAward, Kudos, PointsEntry, Reason

# A core attendee came to this many events within this long: the events app's definition, also the dashboard's.
CORE_ATTENDEE_EVENTS = event_figures.CORE_ATTENDEE_EVENTS
CORE_ATTENDEE_WITHIN = event_figures.CORE_ATTENDEE_WITHIN
# Newcomers who stayed after your first answer (and still count: none of it hidden since) for the Anchor badge.
STAYED_FOR_ANCHOR = 5


@dataclass(frozen=True)
class BadgeRule:
    slug: str
    name: str
    description: str
    icon: str
    earned: Callable[[object, dict], list[str]]
    repeatable: bool = False


def _once(condition: Callable[[object, dict], bool]) -> Callable[[object, dict], list[str]]:
    return lambda member, stats: [""] if condition(member, stats) else []


def _ledger_count(member, reason: str) -> int:
    return PointsEntry.objects.filter(member=member, reason=reason).count()


RULES = [
    BadgeRule("welcome", gettext_noop("Welcome"), gettext_noop("Wrote a first post."), "👋", _once(lambda m, s: s["posts"] >= 1)),
    BadgeRule("first-reply-to-newcomer", gettext_noop("First Reply to a Newcomer"), gettext_noop("Gave a newcomer their first answer."), "🤝",
              _once(lambda m, s: _ledger_count(m, Reason.FIRST_REPLY_TO_NEWCOMER) >= 1)),
    BadgeRule("welcomer", gettext_noop("Welcomer"), gettext_noop("Gave 10 newcomers their first answer."), "🌱",
              _once(lambda m, s: _ledger_count(m, Reason.FIRST_REPLY_TO_NEWCOMER) >= 10)),
    BadgeRule("anchor", gettext_noop("Anchor"), gettext_noop("Five newcomers you answered first came back and posted again."), "⚓",
              _once(lambda m, s: ledger.claims_still_earning(m.pk, "newcomer") >= STAYED_FOR_ANCHOR)),
    BadgeRule("nice-reply", gettext_noop("Nice Reply"), gettext_noop("A post with 10 likes."), "👍",
              lambda m, s: [str(pk) for pk in liked_posts_of(m.pk, min_likes=10)] if s["best_post_likes"] >= 10 else [], repeatable=True),
    BadgeRule("great-reply", gettext_noop("Great Reply"), gettext_noop("A post with 50 likes."), "🌟",
              lambda m, s: [str(pk) for pk in liked_posts_of(m.pk, min_likes=50)] if s["best_post_likes"] >= 50 else [], repeatable=True),
    BadgeRule("problem-solver", gettext_noop("Problem Solver"), gettext_noop("A first accepted answer."), "✅",
              _once(lambda m, s: s["accepted_answers"] >= 1)),
    BadgeRule("expert-answerer", gettext_noop("Expert Answerer"), gettext_noop("10 accepted answers in one tag."), "🎓",
              lambda m, s: [tag for tag, n in accepted_answers_by_tag(m.pk).items() if n >= 10] if s["accepted_answers"] >= 10 else [],
              repeatable=True),
    BadgeRule("regular", gettext_noop("Regular"), gettext_noop("Reached tier 2, Regular."), "🥉", _once(lambda m, s: m.tier >= 2)),
    BadgeRule("champion", gettext_noop("Champion"), gettext_noop("Reached tier 3, Champion."), "🥈", _once(lambda m, s: m.tier >= 3)),
    BadgeRule("leader", gettext_noop("Leader"), gettext_noop("Made a Leader (tier 4) by the community team."), "🥇",
              _once(lambda m, s: m.tier >= 4)),
    BadgeRule("event-goer", gettext_noop("Event Goer"), gettext_noop("Came to an event."), "🎟️",
              _once(lambda m, s: _ledger_count(m, Reason.EVENT_ATTENDED) >= 1)),
    BadgeRule("core-attendee", gettext_noop("Core Attendee"), gettext_noop("Checked in at 3 events within 90 days."), "🎪",
              _once(lambda m, s: _ledger_count(m, Reason.EVENT_ATTENDED) >= CORE_ATTENDEE_EVENTS
                    and event_selectors.attended_count(m.pk, since=timezone.now() - CORE_ATTENDEE_WITHIN) >= CORE_ATTENDEE_EVENTS)),
    BadgeRule("anniversary", gettext_noop("Anniversary"), gettext_noop("Another year in the community."), "🎂",
              lambda m, s: [str(year) for year in range(1, (timezone.now() - m.date_joined).days // 365 + 1)], repeatable=True),
    BadgeRule("kudos-giver", gettext_noop("Kudos Giver"), gettext_noop("Thanked someone with kudos."), "💌",
              _once(lambda m, s: Kudos.objects.filter(sender=m).exists())),
]
RULES_BY_SLUG = {rule.slug: rule for rule in RULES}


def ensure_badges() -> dict[str, Badge]:
    """The Badge rows for the rules (created on first use; names and descriptions follow the code)."""
    existing = {badge.slug: badge for badge in Badge.objects.all()}
    missing = [Badge(slug=r.slug, name=r.name, description=r.description, icon=r.icon, is_repeatable=r.repeatable)
               for r in RULES if r.slug not in existing]
    if missing:
        Badge.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {badge.slug: badge for badge in Badge.objects.all()}
    return existing


def award_earned_badges(member, stats: dict, *, only: list[str] | None = None) -> list[BadgeAward]:
    """Check the rules (all, or `only` these slugs) for one member and award what is new."""
    badges = ensure_badges()
    awarded = []
    for rule in RULES:
        if only is not None and rule.slug not in only:
            continue
        for key in rule.earned(member, stats):
            try:
                with transaction.atomic():
                    awarded.append(BadgeAward.objects.create(member=member, badge=badges[rule.slug], source_key=key,
                                                             created_at=timezone.now()))
            except IntegrityError:
                continue  # already has it
    return awarded
