"""The dashboard's figures, composed from each app's `figures` module; health reads only its own rollup table.

A period is the last 7, 30 or 90 calendar days (UTC) up to now, compared with the same number of days
before it. Daily series read the nightly rollup (community.health.models.DailyFigure) for past days when
every one of them is rolled up, and compute today (or the whole range, when the rollup has a gap) live.
The number of queries does not depend on the amount of data.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community import permissions
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
SERIES = ("posts", "replies", "likes", "engaged", "kudos", "sign_ups")
SITE_WIDE_SERIES = ("kudos", "sign_ups")


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

def _live_series(start, end, category_ids) -> dict[str, dict[date, float]]:
    series = {name: {} for name in SERIES}
    for day, posts, replies, likes, engaged in forum_figures.activity_by_day(start, end, category_ids=category_ids):
        for name, value in zip(("posts", "replies", "likes", "engaged"), (posts, replies, likes, engaged), strict=True):
            series[name][day] = value
    for day, value in loyalty_figures.kudos_by_day(start, end):
        series["kudos"][day] = value
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
        scope | Q(category_id__isnull=True, name__in=["posts", *SITE_WIDE_SERIES]), day__gte=first, day__lt=past_end,
        name__in=SERIES).values_list("day", "category_id", "name", "value"))
    rolled_days = {day for day, category, name, _value in rows if category is None and name == "posts"}
    past_days = [day for day in days if day < past_end]
    series = {name: dict.fromkeys(days, 0.0) for name in SERIES}
    category_ids = None if category_id is None else [category_id]
    if past_days and rolled_days >= set(past_days):
        for day, category, name, value in rows:
            if category == category_id or (name in SITE_WIDE_SERIES and category is None):
                series[name][day] = value
        live_start = midnight(past_end)
    else:
        live_start = period.start
    if live_start < period.end:
        for name, values in _live_series(live_start, period.end, category_ids).items():
            series[name].update({day: value for day, value in values.items() if day in series[name]})
    return {"days": days, **{name: [float(series[name][day]) for day in days] for name in SERIES}}


def _mean(values) -> float:
    return sum(values) / len(values) if values else 0.0


# -- the funnel -------------------------------------------------------------------------------------

FUNNEL_STEPS = (
    ("signed_up", gettext_lazy("Signed up")),
    ("first_post", gettext_lazy("First post")),
    ("got_reply", gettext_lazy("Got a reply from someone else")),
    ("came_back", gettext_lazy("Came back within 7 days")),
    ("second_post", gettext_lazy("Second post within 30 days")),
    ("tier_1", gettext_lazy("Reached tier 1")),
    ("tier_2", gettext_lazy("Reached tier 2")),
)
SPLITS = ("all", "fast", "slow")


def funnel_step_ids(base) -> dict[str, list]:
    """Each step's member-id subqueries (a member is in a step when in any of its subqueries)."""
    return {
        "first_post": [forum_figures.posters_among(base)],
        "got_reply": [forum_figures.answered_by_others_among(base)],
        "came_back": [loyalty_figures.came_back_within_among(base, 7)],
        "second_post": [forum_figures.second_post_within_among(base, 30)],
        # Tier history starts with loyalty.TierChange; members already at a tier count as having reached it.
        "tier_1": [loyalty_figures.reached_tier_among(base, 1), member_figures.at_tier_among(base, 1)],
        "tier_2": [loyalty_figures.reached_tier_among(base, 2), member_figures.at_tier_among(base, 2)],
    }


def _split_of(base, split: str):
    if split == "all":
        return None
    return (forum_figures.first_thread_answered_within(base, target()), split == "fast")


def funnel_counts(period: Period, split: str = "all") -> dict[str, int]:
    base = member_figures.joined_between(period.start, period.end)
    counts = member_figures.count_steps(base, funnel_step_ids(base), split=_split_of(base, split))
    return {"signed_up": counts.pop("base"), **counts}


def funnel_by_split(period: Period) -> dict[str, dict[str, int]]:
    """The funnel for all new members and split by a first reply within the target or not: one query."""
    base = member_figures.joined_between(period.start, period.end)
    found = member_figures.count_steps_by_split(base, funnel_step_ids(base),
                                                forum_figures.first_thread_answered_within(base, target()))
    return {split: {"signed_up": counts.pop("base"), **counts} for split, counts in found.items()}


def funnel_members(period: Period, step: str, split: str = "all"):
    """The members behind one step of the funnel (every step before it included)."""
    base = member_figures.joined_between(period.start, period.end)
    steps = funnel_step_ids(base)
    names = [name for name, _label in FUNNEL_STEPS[1:]]
    upto = {name: steps[name] for name in names[: names.index(step) + 1]} if step != "signed_up" else {}
    return member_figures.members_in_steps(base, upto, split=_split_of(base, split))


def cohorts(period: Period) -> dict:
    """Join week × weeks since joining: the share of each week's sign-ups who posted in that week after joining."""
    start = min(period.start, midnight((period.now - timedelta(weeks=COHORT_WEEKS)).date()))
    sizes = member_figures.cohort_sizes(start, period.end)
    posting = {(week, offset): n for week, offset, n in forum_figures.cohort_posting(start, period.end)}
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
    if funnel is None:
        base = member_figures.joined_between(period.start, period.end)
        funnel = member_figures.count_steps(base, {"came_back": [loyalty_figures.came_back_within_among(base, 7)]})
        funnel["signed_up"] = funnel.pop("base")
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


def moved_most(current: dict, previous: dict) -> str:
    """The dashboard's first line: which part moved most since the last period, in words."""
    changes = []
    for name, label, measure in PARTS:
        now, before = current[name], previous[name]
        if now is None or before is None or now == before:
            continue
        relative = (now - before) / before if before else 1.0
        changes.append((abs(relative), name, label, measure, now, before))
    if not changes:
        return _("Nothing moved since the previous period.")
    _size, name, label, measure, now, before = max(changes, key=lambda change: change[0])
    words = {"label": label, "measure": measure, "now": _format_part(name, now), "before": _format_part(name, before)}
    if now > before:
        return _("%(label)s moved most and got better: %(measure)s went from %(before)s to %(now)s.") % words
    return _("%(label)s moved most and got worse: %(measure)s went from %(before)s to %(now)s.") % words


@dataclass
class Score:
    total: int | None
    newcomer: int | None
    parts: list = field(default_factory=list)
    headline: str = ""


def health_score(current: dict, previous: dict, baseline: dict) -> Score:
    parts = [{"name": name, "label": label, "measure": measure, "value": _format_part(name, current[name]),
              "baseline": _format_part(name, baseline[name]), "score": scaled(current[name], baseline[name])}
             for name, label, measure in PARTS]
    scores = [part["score"] for part in parts if part["score"] is not None]
    newcomer = [part["score"] for part in parts if part["name"] in NEWCOMER_PARTS and part["score"] is not None]
    return Score(total=round(_mean(scores)) if scores else None, newcomer=round(_mean(newcomer)) if newcomer else None,
                 parts=parts, headline=moved_most(current, previous))


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

    funnel = funnel_by_split(period)
    base_before = member_figures.joined_between(previous.start, previous.end)
    came_back = {"came_back": [loyalty_figures.came_back_within_among(base_before, 7)]}
    funnel_before = member_figures.count_steps(base_before, came_back)
    funnel_before["signed_up"] = funnel_before.pop("base")
    base_baseline = member_figures.joined_between(period.baseline.start, period.baseline.end)
    funnel_baseline = member_figures.count_steps(
        base_baseline, {"came_back": [loyalty_figures.came_back_within_among(base_baseline, 7)]})
    funnel_baseline["signed_up"] = funnel_baseline.pop("base")

    staff = permissions.members_with_powers()
    totals = forum_figures.totals(period.start, period.end, staff_ids=staff, **window)
    totals_before = forum_figures.totals(previous.start, previous.end, staff_ids=staff, **window)
    new_contributors = forum_figures.new_contributor_ids(period.start, period.end, **window).count()
    active = loyalty_figures.active_members(period.now.astimezone(UTC).date(), days=days)
    active_before = loyalty_figures.active_members(previous.end.date() - timedelta(days=1), days=days)

    growth = member_figures.sign_ups(period.start, period.end)
    growth_before = member_figures.sign_ups(previous.start, previous.end)
    moves = loyalty_figures.tier_moves(period.start, period.end)
    tiers = member_figures.members_per_tier()

    accepted = forum_figures.accepted_answers(period.start, period.end, **window)
    accepted_before = forum_figures.accepted_answers(previous.start, previous.end, **window)
    accepted_baseline = forum_figures.accepted_answers(period.baseline.start, period.baseline.end, **window)
    flags = moderation_figures.flags(period.start, period.end, **window)
    flags["per_1000"] = 1000 * flags["flags"] / totals["posts"] if totals["posts"] else None
    ideas = None
    if idea_figures is not None:
        ideas = {"by_status": {str(IdeaStatus(status).label): n for status, n in idea_figures.idea_status_counts(**window).items()},
                 "created": idea_figures.ideas_created_between(period.start, period.end, **window),
                 **idea_figures.staff_answer_figures(period.start, period.end, **window)}
    loyalty = loyalty_figures.points_and_rewards(period.start, period.end, **window)
    loyalty_before = loyalty_figures.points_and_rewards(previous.start, previous.end, **window)

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
        "response_by_category": by_category, "responders": responders,
        "funnel": funnel, "funnel_steps": FUNNEL_STEPS, "cohorts": cohorts(period),
        "engagement": {
            "posts": change(totals["posts"], totals_before["posts"]),
            "replies": change(totals["replies"], totals_before["replies"]),
            "likes": change(sum(series["likes"]), sum(series_before["likes"])),
            "kudos": change(sum(series["kudos"]), sum(series_before["kudos"])),
            "engaged": change(engaged, _mean(series_before["engaged"])),
            "dau": change(active["dau"], active_before["dau"]), "wau": change(active["wau"], active_before["wau"]),
            "mau": change(active["mau"], active_before["mau"]),
            "stickiness": change(active["stickiness"], active_before["stickiness"]),
            "new_contributors": new_contributors,
            "by_type": {"newcomers": totals["by_newcomers"], "returning": totals["by_returning"], "staff": totals["by_staff"]},
        },
        "growth": {"sign_ups": change(growth["sign_ups"], growth_before["sign_ups"]),
                   "net_new": change(growth["net_new"], growth_before["net_new"]), **moves, "tiers": tiers},
        "quality": {"accepted": change(accepted["rate"], accepted_before["rate"]), "accepted_counts": accepted,
                    "flags": flags, "ideas": ideas},
        "loyalty": {name: change(loyalty[name], loyalty_before[name]) for name in loyalty},
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
