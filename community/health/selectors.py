"""The dashboard's figures, composed from each app's `figures` module; health reads only its own rollup table.

A period is the last 7, 30 or 90 calendar days (UTC) up to now, compared with the same number of days
before it. Daily series read the nightly rollup (community.health.models.DailyFigure) for past days when
every one of them is rolled up, and compute today (or the whole range, when the rollup has a gap) live.
The number of queries does not depend on the amount of data.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models import BooleanField, DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community import permissions
from community.events import figures as event_figures
from community.expertise import selectors as expertise_selectors
from community.health.models import DailyFigure
from community.members import figures as member_figures
from forums import figures as forum_figures
from loyalty import figures as loyalty_figures
from moderation import figures as moderation_figures

try:  # the ideas app lands separately (issue 11, point 4); the dashboard shows its line once it exists
    from forums import ideas as idea_figures
    from forums.models import IdeaStatus
except ImportError:  # pragma: no cover
    idea_figures = IdeaStatus = None

PERIODS = (7, 30, 90)
BASELINE_DAYS = 90
COHORT_WEEKS = 8
# Every figure that adds up day by day: the nightly rollup holds one row per day (and per category, for
# those a category has) and the dashboard sums them; today and any gap are computed live.
ACTIVITY_SERIES = ("posts", "replies", "likes", "engaged", "new_contributors", "by_newcomers", "by_returning", "by_staff")
POINTS_SERIES = ("points_earned", "points_spent")
SITE_WIDE_SERIES = ("kudos", "redeemed", "badges", "sign_ups")
SERIES = ACTIVITY_SERIES + POINTS_SERIES + SITE_WIDE_SERIES
# A day counts as rolled up when its site-wide mark holds this version (raise it when SERIES changes).
ROLLUP_MARK = "rolled_up"
ROLLUP_VERSION = 2


def target() -> timedelta:
    """The newcomer queue's first-response target (community.triage), the one the dashboard measures against."""
    return timedelta(hours=settings.TRIAGE_FIRST_RESPONSE_TARGET_HOURS)


@dataclass(frozen=True)
class Period:
    days: int
    start: datetime
    end: datetime
    now: datetime

    @property
    def previous(self) -> "Period":
        return Period(self.days, self.start - timedelta(days=self.days), self.start, self.now)

    @property
    def baseline(self) -> "Period":
        """The community's own previous 90 days, which the health score is scaled against."""
        return Period(BASELINE_DAYS, self.start - timedelta(days=BASELINE_DAYS), self.start, self.now)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def period_of(days: int, now: datetime | None = None) -> Period:
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    return Period(days, midnight(today - timedelta(days=days - 1)), now, now)


# -- daily series: rollup for past days, live for the rest ------------------------------------------

def activity(start, end, *, category_ids=None, per_category=False) -> list[tuple]:
    """The forum's activity per day (forums.figures.activity_by_day), told who is staff and who was a newcomer when."""
    return forum_figures.activity_by_day(
        start, end, category_ids=category_ids, per_category=per_category, staff_ids=permissions.members_with_powers(),
        newcomer_ids=member_figures.at_tier(0), promotions=loyalty_figures.first_promotions())


def live_series(start, end, category_ids) -> dict[str, dict[date, float]]:
    """Every series for the days of [start, end), computed from the source tables."""
    series = {name: {} for name in SERIES}
    for day, *values in activity(start, end, category_ids=category_ids):
        for name, value in zip(ACTIVITY_SERIES, values, strict=True):
            series[name][day] = value
    for day, *values in loyalty_figures.points_by_day(start, end, category_ids=category_ids):
        for name, value in zip(POINTS_SERIES, values, strict=True):
            series[name][day] = value
    for day, kudos, redeemed, badges in loyalty_figures.by_day(start, end):
        series["kudos"][day], series["redeemed"][day], series["badges"][day] = kudos, redeemed, badges
    for day, value in member_figures.sign_ups_by_day(start, end):
        series["sign_ups"][day] = value
    return series


def daily_series(period: Period, category_id: int | None) -> dict[str, list[float]]:
    """Each series as one value per day of the period, oldest first."""
    first, today = period.start.date(), period.now.astimezone(UTC).date()
    last = (period.end - timedelta(microseconds=1)).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    past_end = min(last + timedelta(days=1), today)
    scope = Q(category_id=category_id) if category_id is not None else Q(category_id__isnull=True)
    rows = list(DailyFigure.objects.filter(
        scope | Q(category_id__isnull=True, name__in=[ROLLUP_MARK, *SITE_WIDE_SERIES]), day__gte=first, day__lt=past_end,
        name__in=[*SERIES, ROLLUP_MARK]).values_list("day", "category_id", "name", "value"))
    rolled_days = {day for day, category, name, value in rows
                   if category is None and name == ROLLUP_MARK and value == ROLLUP_VERSION}
    past_days = [day for day in days if day < past_end]
    series = {name: dict.fromkeys(days, 0.0) for name in SERIES}
    category_ids = None if category_id is None else [category_id]
    if past_days and rolled_days >= set(past_days):
        for day, category, name, value in rows:
            if name in series and (category == category_id or (name in SITE_WIDE_SERIES and category is None)):
                series[name][day] = value
        live_start = midnight(past_end)
    else:
        live_start = period.start
    if live_start < period.end:
        for name, values in live_series(live_start, period.end, category_ids).items():
            series[name].update({day: value for day, value in values.items() if day in series[name]})
    return {"days": days, **{name: [float(series[name][day]) for day in days] for name in SERIES}}


def _sums(series: dict) -> dict[str, float]:
    """Each daily series added up over the period (whole numbers: they are counts and points)."""
    return {name: round(sum(series[name])) for name in SERIES}


def _mean(values) -> float:
    return sum(values) / len(values) if values else 0.0


def expert_figures(period: Period, category_ids) -> list[dict]:
    """Every expert with their topics and how they answered newcomers there: questions routed to them
    (in the period's categories), questions in their tags, answered, first responses, median hours to
    their reply. Experts who answered nothing are listed too."""
    topics = expertise_selectors.expert_topics()
    tags_of: dict[int, list[str]] = {}
    for member_id, _tag_id, name in topics:
        tags_of.setdefault(member_id, []).append(name)
    found = {row[0]: row[1:] for row in forum_figures.expert_answers(
        period.start, period.end, topics=[(member_id, tag_id) for member_id, tag_id, _name in topics],
        category_ids=category_ids)}
    routed = expertise_selectors.routed_counts(period.start, period.end, member_ids=tags_of, category_ids=category_ids)
    names = member_figures.names_of(tags_of)
    rows = []
    for member_id, tags in tags_of.items():
        questions, answered, firsts, median = found.get(member_id, (0, 0, 0, None))
        rows.append({"member_id": member_id, "name": names.get(member_id, "?"), "tags": tags, "routed": routed.get(member_id, 0),
                     "questions": questions, "answered": answered, "first_responses": firsts, "median_hours": median})
    rows.sort(key=lambda row: (-row["questions"], -row["answered"], row["name"].lower()))
    return rows


# -- the funnel -------------------------------------------------------------------------------------

FUNNEL_STEPS = (
    ("signed_up", gettext_lazy("Signed up")),
    ("first_post", gettext_lazy("First post")),
    ("got_reply", gettext_lazy("Got a reply from someone else")),
    ("came_back", gettext_lazy("Came back within 7 days of a reply")),
    ("second_post", gettext_lazy("Second post within 30 days")),
    ("tier_1", gettext_lazy("Reached tier 1")),
    ("tier_2", gettext_lazy("Reached tier 2")),
)
SPLITS = ("all", "fast", "slow")
STEP_NAMES = [name for name, _label in FUNNEL_STEPS[1:]]
CAME_BACK_WITHIN = timedelta(days=7)
SECOND_POST_WITHIN = timedelta(days=30)


def _flag(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def journeys(period: Period) -> QuerySet:
    """The members who signed up in the period, each with the funnel's steps as flags and `fast`: whether
    their first thread got its first reply within its category's target. Each step is an indexed lookup per member.

    Came back: visited on a later day than their first post and no more than 7 days after the first reply
    (a visit is recorded per day, so "after the reply" is counted from the reply's day). Tier history
    starts with loyalty.TierChange; members already at a tier count as having reached it."""
    member = OuterRef("pk")
    joined = member_figures.members_joined(period.start, period.end).annotate(
        first_post_at=Subquery(forum_figures.first_post_at(member)),
        first_reply_at=Subquery(forum_figures.first_reply_at(member)))
    return joined.annotate(
        first_post=_flag(Q(first_post_at__isnull=False)),
        got_reply=_flag(Q(first_reply_at__isnull=False)),
        came_back=Exists(loyalty_figures.visited_between(
            member, Cast(OuterRef("first_post_at"), DateField()),
            Cast(OuterRef("first_reply_at") + CAME_BACK_WITHIN, DateField()))),
        second_post=Exists(forum_figures.second_post_before(member, OuterRef("date_joined") + SECOND_POST_WITHIN)),
        tier_1=_flag(Q(tier__gte=1) | Exists(loyalty_figures.reached_tier(member, 1))),
        tier_2=_flag(Q(tier__gte=2) | Exists(loyalty_figures.reached_tier(member, 2))),
        # Never null: no thread, or one nobody answered, counts as late.
        fast=Coalesce(Subquery(forum_figures.first_thread_answered_in_time(member, target())), Value(False),
                      output_field=BooleanField()),
    )


def _in_steps(upto: list[str], split: str) -> Q:
    """Members in every one of these steps (a funnel never widens), and in the split."""
    condition = Q(**dict.fromkeys(upto, True))
    if split != "all":
        condition &= Q(fast=split == "fast")
    return condition


def _count_journeys(period: Period, counts: dict) -> dict:
    """{key: how many of the period's journeys meet the condition}, where a condition is flag names joined by AND.

    One query: each member's steps are worked out once, in a materialised CTE, and counted by FILTERs over them."""
    flags_sql, params = journeys(period).values("pk", *STEP_NAMES, "fast").query.sql_with_params()
    filters = ", ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition in counts.values())
    # The ORM's own SQL and parameters, and fixed flag names: no input reaches the text.
    query = f"WITH flags AS MATERIALIZED ({flags_sql}) SELECT {filters} FROM flags"  # noqa: S608
    with connections[router.db_for_read(DailyFigure)].cursor() as cursor:
        cursor.execute(query, params)
        return dict(zip(counts, cursor.fetchone(), strict=True))


def funnel_by_split(period: Period) -> dict[str, dict[str, int]]:
    """The funnel for all new members and split by a first reply within the target or not, in one query."""
    counts = {}
    for split, among in (("all", "TRUE"), ("fast", "fast"), ("slow", "NOT fast")):
        condition = among
        counts[(split, "signed_up")] = condition
        for name in STEP_NAMES:
            condition += f" AND {name}"
            counts[(split, name)] = condition
    result = {split: {} for split in SPLITS}
    for (split, name), value in _count_journeys(period, counts).items():
        result[split][name] = value
    return result


def funnel_counts(period: Period, split: str = "all") -> dict[str, int]:
    return funnel_by_split(period)[split]


def retention(period: Period) -> dict[str, int]:
    """Sign-ups of the period and how many came back within 7 days of a first reply (the score's retention)."""
    return _count_journeys(period, {"signed_up": "TRUE", "came_back": "came_back"})


def funnel_members(period: Period, step: str, split: str = "all"):
    """The members behind one step of the funnel (every step before it included)."""
    upto = STEP_NAMES[: STEP_NAMES.index(step) + 1] if step != "signed_up" else []
    return member_figures.members_in(journeys(period).filter(_in_steps(upto, split)).values("pk"))


def cohorts(period: Period) -> dict:
    """Join week × weeks since joining: the share of each week's sign-ups who posted in that week after joining."""
    start = min(period.start, midnight((period.now - timedelta(weeks=COHORT_WEEKS)).date()))
    sizes = member_figures.cohort_sizes(start, period.end)
    posting = {(week, offset): n for week, offset, n in
               forum_figures.cohort_posting(member_figures.joined_with_dates(start, period.end))}
    today = period.now.astimezone(UTC).date()
    rows = []
    for week, size in sizes:
        weeks_so_far = (today - week).days // 7
        cells = [(posting.get((week, offset), 0) / size if size else 0.0) for offset in range(weeks_so_far + 1)]
        rows.append({"week": week, "size": size, "cells": cells[: COHORT_WEEKS + 1]})
    columns = max((len(row["cells"]) for row in rows), default=0)
    for row in rows:
        row["blank"] = range(columns - len(row["cells"]))
    return {"rows": rows, "columns": list(range(columns))}


# -- the health score -------------------------------------------------------------------------------

PARTS = (
    ("responsiveness", gettext_lazy("Responsiveness"), gettext_lazy("share of newcomer threads answered within the target")),
    ("retention", gettext_lazy("Newcomer retention"), gettext_lazy("share of new members who came back within 7 days")),
    ("engagement", gettext_lazy("Engagement"), gettext_lazy("engaged members a day")),
    ("growth", gettext_lazy("Growth"), gettext_lazy("sign-ups a day")),
    ("quality", gettext_lazy("Quality"), gettext_lazy("accepted-answer rate")),
)
NEWCOMER_PARTS = ("responsiveness", "retention")


def _part_values(period: Period, category_ids, series=None, response=None, accepted=None, funnel=None) -> dict:
    series = series or daily_series(period, category_ids[0] if category_ids else None)
    response = response or forum_figures.first_response(period.start, period.end, now=period.now, target=target(),
                                                         category_ids=category_ids)
    accepted = accepted or forum_figures.accepted_answers(period.start, period.end, category_ids=category_ids)
    funnel = funnel or retention(period)
    return {
        "responsiveness": response["share_within_target"],
        "retention": funnel["came_back"] / funnel["signed_up"] if funnel["signed_up"] else None,
        "engagement": _mean(series["engaged"]),
        "growth": _mean(series["sign_ups"]),
        "quality": accepted["rate"],
    }


def scaled(value, baseline) -> int | None:
    """0–100, where 50 is the community's own previous 90 days and 100 is twice as good."""
    if value is None or baseline is None:
        return None
    if baseline == 0:
        return 100 if value > 0 else 50
    return max(0, min(100, round(50 * value / baseline)))


def _format_part(name: str, value) -> str:
    if value is None:
        return "—"
    if name in ("responsiveness", "retention", "quality"):
        return f"{value * 100:.0f}%"
    return f"{value:.1f}"


def moved_most(current: dict, previous: dict) -> dict | None:
    """Which part moved most since the last period (relative change), with its values; None when nothing moved."""
    changes = []
    for name, _label, _measure in PARTS:
        now, before = current[name], previous[name]
        if now is None or before is None or now == before:
            continue
        relative = (now - before) / before if before else 1.0
        changes.append((abs(relative), name, now, before))
    if not changes:
        return None
    _size, name, now, before = max(changes, key=lambda change: change[0])
    return {"name": name, "now": _format_part(name, now), "before": _format_part(name, before), "better": now > before}


@dataclass
class Score:
    total: int | None
    newcomer: int | None
    parts: list = field(default_factory=list)
    moved: dict | None = None

    @property
    def headline(self) -> str:
        """The dashboard's first line, in words, in the reader's language (a served snapshot is shared by all)."""
        if self.moved is None:
            return _("Nothing moved since the previous period.")
        label, measure = next((label, measure) for name, label, measure in PARTS if name == self.moved["name"])
        words = {"label": label, "measure": measure, "now": self.moved["now"], "before": self.moved["before"]}
        if self.moved["better"]:
            return _("%(label)s moved most and got better: %(measure)s went from %(before)s to %(now)s.") % words
        return _("%(label)s moved most and got worse: %(measure)s went from %(before)s to %(now)s.") % words


def health_score(current: dict, previous: dict, baseline: dict) -> Score:
    parts = [{"name": name, "label": label, "measure": measure, "value": _format_part(name, current[name]),
              "baseline": _format_part(name, baseline[name]), "score": scaled(current[name], baseline[name])}
             for name, label, measure in PARTS]
    scores = [part["score"] for part in parts if part["score"] is not None]
    newcomer = [part["score"] for part in parts if part["name"] in NEWCOMER_PARTS and part["score"] is not None]
    return Score(total=round(_mean(scores)) if scores else None, newcomer=round(_mean(newcomer)) if newcomer else None,
                 parts=parts, moved=moved_most(current, previous))


# -- the whole page ---------------------------------------------------------------------------------

def change(now, before) -> dict:
    """A figure beside the previous period's, with the relative change."""
    if now is None:
        return {"value": None, "before": before, "change": None}
    relative = None if not before else (now - before) / before
    return {"value": now, "before": before, "change": relative}


def dashboard(*, days: int, category_id: int | None, now: datetime | None = None) -> dict:
    period = period_of(days, now)
    previous = period.previous
    category_ids = None if category_id is None else [category_id]
    window = {"category_ids": category_ids}
    categories = dict(forum_figures.category_choices())

    series = daily_series(period, category_id)
    series_before = daily_series(previous, category_id)
    series_baseline = daily_series(period.baseline, category_id)

    response = forum_figures.first_response(period.start, period.end, now=period.now, target=target(), **window)
    response_before = forum_figures.first_response(previous.start, previous.end, now=period.now, target=target(), **window)
    response_baseline = forum_figures.first_response(period.baseline.start, period.baseline.end, now=period.now,
                                                     target=target(), **window)
    by_day = forum_figures.first_response_by_day(period.start, period.end, now=period.now, **window)
    by_category = [(categories.get(pk, "?"), pk, *rest) for pk, *rest in forum_figures.first_response_by_category(
        period.start, period.end, now=period.now, target=target(), **window)]
    responder_rows = forum_figures.responders(period.start, period.end, **window)
    names = member_figures.names_of([row[0] for row in responder_rows])
    responders = [(names.get(pk, "?"), *rest) for pk, *rest in responder_rows]
    experts = expert_figures(period, category_ids)

    funnel = funnel_by_split(period)
    funnel_before, funnel_baseline = retention(previous), retention(period.baseline)

    active = loyalty_figures.active_members(period.now.astimezone(UTC).date(), days=days)
    active_before = loyalty_figures.active_members(previous.end.date() - timedelta(days=1), days=days)

    growth = member_figures.sign_ups(period.start, period.end)
    growth_before = member_figures.sign_ups(previous.start, previous.end)
    moves = loyalty_figures.tier_moves(period.start, period.end)
    tiers = member_figures.members_per_tier()

    accepted = forum_figures.accepted_answers(period.start, period.end, **window)
    accepted_before = forum_figures.accepted_answers(previous.start, previous.end, **window)
    accepted_baseline = forum_figures.accepted_answers(period.baseline.start, period.baseline.end, **window)
    total, total_before = _sums(series), _sums(series_before)
    flags = moderation_figures.flags(period.start, period.end, **window)
    flags["per_1000"] = 1000 * flags["flags"] / total["posts"] if total["posts"] else None
    ideas = None
    if idea_figures is not None:
        ideas = {"by_status": {str(IdeaStatus(status).label): n for status, n in idea_figures.idea_status_counts(**window).items()},
                 "created": idea_figures.ideas_created_between(period.start, period.end, **window),
                 **idea_figures.staff_answer_figures(period.start, period.end, **window)}

    participation = event_figures.participation(period.start, period.end, now=period.now, **window)
    participation_before = event_figures.participation(previous.start, previous.end, now=period.now,
                                                       with_core_attendees=False, **window)

    current_parts = _part_values(period, category_ids, series, response, accepted, funnel["all"])
    score = health_score(
        current_parts,
        _part_values(previous, category_ids, series_before, response_before, accepted_before, funnel_before),
        _part_values(period.baseline, category_ids, series_baseline, response_baseline, accepted_baseline, funnel_baseline),
    )
    engaged = _mean(series["engaged"])
    return {
        "period": period, "category_id": category_id, "categories": categories, "target_hours": target().total_seconds() / 3600,
        "score": score, "series": series,
        "response": response, "response_before": response_before, "response_by_day": by_day,
        "response_by_category": by_category, "responders": responders, "experts": experts,
        "funnel": funnel, "funnel_steps": FUNNEL_STEPS, "cohorts": cohorts(period),
        "engagement": {
            **{name: change(total[name], total_before[name]) for name in ("posts", "replies", "likes", "kudos")},
            "engaged": change(engaged, _mean(series_before["engaged"])),
            "dau": change(active["dau"], active_before["dau"]), "wau": change(active["wau"], active_before["wau"]),
            "mau": change(active["mau"], active_before["mau"]),
            "stickiness": change(active["stickiness"], active_before["stickiness"]),
            "new_contributors": change(total["new_contributors"], total_before["new_contributors"]),
            "by_type": {"newcomers": total["by_newcomers"], "returning": total["by_returning"], "staff": total["by_staff"]},
        },
        "growth": {"sign_ups": change(growth["sign_ups"], growth_before["sign_ups"]),
                   "net_new": change(growth["net_new"], growth_before["net_new"]), **moves, "tiers": tiers},
        "quality": {"accepted": change(accepted["rate"], accepted_before["rate"]), "accepted_counts": accepted,
                    "flags": flags, "ideas": ideas},
        "participation": {"events": change(participation["events"], participation_before["events"]),
                          "going": change(participation["going"], participation_before["going"]),
                          "checked_in": change(participation["checked_in"], participation_before["checked_in"]),
                          "attendance_rate": change(participation["attendance_rate"], participation_before["attendance_rate"]),
                          "no_shows": change(participation["no_shows"], participation_before["no_shows"]),
                          "core_attendees": participation["core_attendees"]},
        "loyalty": {name: change(total[name], total_before[name])
                    for name in ("points_earned", "points_spent", "redeemed", "badges")},
    }


# -- drill-down lists -------------------------------------------------------------------------------

THREAD_LISTS = {
    "newcomer-threads": gettext_lazy("Newcomer threads started in the period"),
    "unanswered": gettext_lazy("Newcomer threads nobody answered yet"),
}
MEMBER_LISTS = {
    **{name.replace("_", "-"): label for name, label in FUNNEL_STEPS},
    "new-contributors": gettext_lazy("New contributors (first post in the period)"),
    "promoted": gettext_lazy("Members promoted in the period"),
    "demoted": gettext_lazy("Members demoted in the period"),
}


def drill_down(figure: str, *, days: int, category_id: int | None, split: str = "all", now=None):
    """("threads" or "members", title, queryset) behind one figure; None for a figure the dashboard does not have."""
    period = period_of(days, now)
    category_ids = None if category_id is None else [category_id]
    figure = figure.replace("_", "-")
    if figure in THREAD_LISTS:
        threads = forum_figures.first_response_threads(period.start, period.end, category_ids=category_ids,
                                                       unanswered_only=figure == "unanswered")
        return "threads", THREAD_LISTS[figure], threads
    if figure not in MEMBER_LISTS:
        return None
    if figure == "new-contributors":
        ids = forum_figures.new_contributor_ids(period.start, period.end, category_ids=category_ids)
    elif figure in ("promoted", "demoted"):
        ids = loyalty_figures.moved_ids(period.start, period.end, up=figure == "promoted")
    else:
        return "members", MEMBER_LISTS[figure], funnel_members(period, figure.replace("-", "_"), split)
    return "members", MEMBER_LISTS[figure], member_figures.members_in(ids)
