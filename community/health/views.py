"""The dashboard, the lists behind its figures and its CSV files: managers only; bad filters are a form error or a 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from community import permissions
from community.health import charts, csv, selectors, snapshots
from community.health.forms import DashboardFilterForm
from forums.figures import category_choices
from forums.selectors import page_number

LIST_PER_PAGE = 50


def _filters(request) -> DashboardFilterForm:
    return DashboardFilterForm(request.GET, categories=dict(category_choices()))


def _valid_filters(request) -> tuple[DashboardFilterForm, dict]:
    """For the lists and CSV behind the figures: managers only, and filters that name nothing are a 404."""
    permissions.check_can_view_dashboard(request.user)
    form = _filters(request)
    if not form.is_valid():
        raise Http404(_("These filters are not valid."))
    return form, form.filters()


@login_required
def dashboard(request):
    permissions.check_can_view_dashboard(request.user)
    form = _filters(request)
    if not form.is_valid():
        return render(request, "health/dashboard.html", {"form": form}, status=400)
    found = form.filters()
    data = snapshots.dashboard(days=found["days"], category_id=found["category_id"], fresh=found["fresh"])
    return render(request, "health/dashboard.html", {"form": form, "filters_query": form.query(), "charts": _charts(data), **data})


def _charts(data: dict) -> dict:
    """Each chart and its label (the label names the scrolling box that holds it on a phone)."""
    series, days = data["series"], [day.isoformat() for day in data["series"]["days"]]
    funnel = data["funnel"]["all"]
    labels = {
        "response": _("Time to first response per day: median and 90th percentile, in hours"),
        "activity": _("Posts, replies, likes and kudos per day"),
        "engaged": _("Engaged members per day"),
        "sign_ups": _("Sign-ups per day"),
        "funnel": _("The newcomer funnel"),
        "tiers": _("Members per tier"),
    }
    found = {
        "response": charts.line_chart(labels["response"], days, [
            (_("Median"), [row[3] for row in data["response_by_day"]]),
            (_("90th percentile"), [row[4] for row in data["response_by_day"]])]),
        "activity": charts.line_chart(labels["activity"], days, [
            (_("Posts"), series["posts"]), (_("Replies"), series["replies"]), (_("Likes"), series["likes"]),
            (_("Kudos"), series["kudos"])]),
        "engaged": charts.sparkline(labels["engaged"], series["engaged"]),
        "sign_ups": charts.bar_chart(labels["sign_ups"], [(day[5:], value) for day, value in zip(days, series["sign_ups"], strict=True)][-14:]),
        "funnel": charts.funnel(labels["funnel"], [(str(label), funnel[step]) for step, label in data["funnel_steps"]]),
        "tiers": charts.bar_chart(labels["tiers"], [(_("Tier %(n)d") % {"n": tier}, n) for tier, n in sorted(data["growth"]["tiers"].items())]),
    }
    return {**found, **{f"{name}_label": label for name, label in labels.items()}}


@login_required
def figure_list(request, figure: str):
    form, found = _valid_filters(request)
    behind = selectors.drill_down(figure, days=found["days"], category_id=found["category_id"], split=found["split"])
    if behind is None:
        raise Http404(_("The dashboard has no such figure."))
    kind, title, rows = behind
    page = Paginator(rows, LIST_PER_PAGE).get_page(page_number(request.GET.get("page")))
    return render(request, "health/figure_list.html", {
        "kind": kind, "title": title, "page": page, "filters_query": form.query(), "figure": figure, "split": found["split"]})


@login_required
def table_csv(request, table: str):
    _form, found = _valid_filters(request)
    data = snapshots.dashboard(days=found["days"], category_id=found["category_id"], fresh=found["fresh"])
    tables = csv.tables(data)
    if table not in tables:
        raise Http404(_("The dashboard has no such table."))
    header, rows = tables[table]
    response = HttpResponse(csv.render(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}-{found["days"]}d.csv"'
    return response
