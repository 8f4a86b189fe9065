"""The dashboard's tables as CSV files. Text cells that a spreadsheet would run as a formula are quoted with a leading '."""

import csv
from io import StringIO

from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DAILY_COLUMNS = ("posts", "replies", "likes", "kudos", "engaged", "new_contributors", "by_newcomers", "by_returning",
                 "by_staff", "sign_ups", "points_earned", "points_spent", "redeemed", "badges")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def render(header: list[str], rows) -> str:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(cell)) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _hours(value):
    return None if value is None else round(value, 2)


def tables(data: dict) -> dict:
    """name -> (header, rows) for every table of the dashboard."""
    funnel = data["funnel"]
    series = data["series"]
    found = {
        "first-response-by-day": (
            [_("Day"), _("Newcomer threads"), _("Unanswered"), _("Median hours"), _("90th percentile hours")],
            [(day.isoformat(), n, unanswered, _hours(median), _hours(p90)) for day, n, unanswered, median, p90 in data["response_by_day"]]),
        "first-response-by-category": (
            [_("Category"), _("Newcomer threads"), _("Unanswered"), _("Answered within target"), _("Median hours"), _("90th percentile hours")],
            [(name, n, unanswered, None if share is None else round(float(share), 3), _hours(median), _hours(p90))
             for name, _pk, n, unanswered, share, median, p90 in data["response_by_category"]]),
        "responders": (
            [_("Member"), _("Replies to newcomers"), _("First responses"), _("Median hours to first response")],
            [(name, replies, firsts, _hours(median)) for name, replies, firsts, median in data["responders"]]),
        "experts": (
            [_("Expert"), _("Topics"), _("Routed"), _("Questions in their topics"), _("Answered"), _("First responses"),
             _("Median hours to their reply")],
            [(row["name"], ", ".join(row["tags"]), row["routed"], row["questions"], row["answered"], row["first_responses"],
              _hours(row["median_hours"]))
             for row in data["experts"]]),
        "funnel": (
            [_("Step"), _("All new members"), _("First reply within target"), _("First reply late or never")],
            [(str(label), funnel["all"][step], funnel["fast"][step], funnel["slow"][step]) for step, label in data["funnel_steps"]]),
        "cohorts": (
            [_("Join week"), _("Members"), *[_("Week %(n)d") % {"n": n} for n in data["cohorts"]["columns"]]],
            [(row["week"].isoformat(), row["size"], *[round(cell, 3) for cell in row["cells"]]) for row in data["cohorts"]["rows"]]),
        "daily": (
            [_("Day"), _("Posts"), _("Replies"), _("Likes"), _("Kudos"), _("Engaged members"), _("New contributors"),
             _("Posts by newcomers"), _("Posts by returning members"), _("Posts by staff"), _("Sign-ups"),
             _("Points earned"), _("Points spent"), _("Rewards redeemed"), _("Badges given")],
            [(day.isoformat(), *(round(series[name][n]) for name in DAILY_COLUMNS)) for n, day in enumerate(series["days"])]),
        "score": (
            [_("Part"), _("This period"), _("Previous 90 days"), _("Score")],
            [(str(part["label"]), part["value"], part["baseline"], part["score"]) for part in data["score"].parts]),
        "tiers": ([_("Tier"), _("Members")], sorted(data["growth"]["tiers"].items())),
    }
    if data["quality"]["ideas"] is not None:
        found["ideas"] = ([_("Status"), _("Ideas")], list(data["quality"]["ideas"]["by_status"].items()))
    return found
