"""Expert pages: everyone sees who the experts are; managers appoint and remove them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import permissions
from community.expertise import selectors, services
from community.expertise.forms import AppointExpertForm, AvailabilityForm
from community.expertise.models import Expertise
from forums.models import Tag


def _back(request, default: str):
    target = request.POST.get("next", "")
    # A path on this site only: redirect() would take a bare word for the name of a view.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                   require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def expert_list(request):
    form = AppointExpertForm()
    if request.method == "POST":
        permissions.check_can_manage_experts(request.user)
        form = AppointExpertForm(request.POST)
        if form.is_valid():
            member = form.cleaned_data["username"]
            try:
                services.expert_appoint(member=member, tags=form.cleaned_data["tags"], appointed_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s is now an expert in %(tags)s.") % {
                    "name": member.name, "tags": ", ".join(f"#{t.name}" for t in form.cleaned_data["tags"])})
                return _back(request, "expertise:list")
    return _list_page(request, form=form)


def _list_page(request, *, form=None, availability_form=None):
    expertise = selectors.all_expertise()
    can_set_availability = permissions.can_set_expert_availability(request.user)
    context = {
        "expertise": expertise, "form": form or AppointExpertForm(), "can_manage": permissions.can_manage_experts(request.user),
        "tags": Tag.objects.only("name"), "figures": selectors.expert_recent_figures(expertise),
        "figures_days": selectors.FIGURES_DAYS, "can_set_availability": can_set_availability,
    }
    if can_set_availability:
        mine = selectors.availability_for(request.user)
        away_until = mine.away_until if mine and mine.is_away_on(selectors.expert_today(request.user)) else None
        context.update(away_until=away_until, weekly_cap=mine.weekly_cap if mine else None,
                       routed_this_week=selectors.routed_this_week(request.user))
        context["availability_form"] = availability_form or AvailabilityForm(initial={
            "away_until": away_until, "weekly_cap": context["weekly_cap"]})
    return render(request, "expertise/list.html", context)


@require_POST
def availability_set(request):
    """An expert says they are away until a day, or takes at most so many questions a week."""
    permissions.check_can_set_expert_availability(request.user)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        away_until, weekly_cap = form.cleaned_data["away_until"], form.cleaned_data["weekly_cap"]
        try:
            services.availability_set(member=request.user, away_until=away_until, weekly_cap=weekly_cap)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _availability_message(away_until, weekly_cap))
            return redirect("expertise:list")
    return _list_page(request, availability_form=form)


def _availability_message(away_until, weekly_cap) -> str:
    if away_until is not None:
        text = _("You are away until %(day)s: no new questions will be routed to you until then. "
                 "Questions that reached you before stay in your notifications.") % {
            "day": formats.date_format(away_until, "DATE_FORMAT")}
    else:
        text = _("You are available: new questions in your tags can reach you.")
    if weekly_cap is not None:
        text += " " + _("At most %(cap)d a week.") % {"cap": weekly_cap}
    return text


@require_POST
def expert_remove(request, expertise_id):
    permissions.check_can_manage_experts(request.user)
    expertise = get_object_or_404(Expertise.objects.select_related("member", "tag"), pk=expertise_id)
    services.expert_remove(expertise=expertise)
    messages.success(request, _("%(name)s is no longer an expert in #%(tag)s.") % {"name": expertise.member.name, "tag": expertise.tag.name})
    return _back(request, "expertise:list")


def experts_of_tag(request, name):
    tag = get_object_or_404(Tag, name=name)
    experts = selectors.experts_of_tag(tag)
    return render(request, "expertise/tag.html", {
        "tag": tag, "experts": experts,
        "answers": selectors.accepted_answers_in_tag(tag, [row.member_id for row in experts]),
    })
