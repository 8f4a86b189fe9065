"""Expert pages: everyone sees who the experts are; managers appoint and remove them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import permissions
from community.expertise import selectors, services
from community.expertise.forms import AppointExpertForm
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
    return render(request, "expertise/list.html", {
        "expertise": selectors.all_expertise(), "form": form, "can_manage": permissions.can_manage_experts(request.user),
        "tags": Tag.objects.only("name"),
    })


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
