"""Loyalty pages: my points and tier, badges, rewards, the leaderboard, kudos."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import permissions
from forums.models import Category
from forums.selectors import page_number
from loyalty import badges, selectors, services, tiers
from loyalty.forms import KudosForm
from loyalty.models import Redemption, Reward
from loyalty.tasks import notify_tier_change, refresh_standing

User = get_user_model()


@login_required
def home(request):
    member = request.user
    number = page_number(request.GET.get("page"))
    entries, has_more = selectors.ledger_page(member, page=number)
    stats = tiers.stats_for(member)
    return render(request, "loyalty/home.html", {
        "account": selectors.account_of(member), "entries": entries, "has_more": has_more, "page_number": number,
        "progress": tiers.progress_to_next(member, stats), "perks": selectors.perks_for(member),
        "badges": selectors.badges_of(member),
    })


def badge_list(request):
    badges.ensure_badges()
    return render(request, "loyalty/badges.html", {"badges": selectors.all_badges_with_counts()})


def leaderboard(request):
    period = request.GET.get("period", "week")
    if period not in selectors.PERIODS:
        period = "week"
    slug = request.GET.get("category", "")
    category = Category.objects.filter(slug=slug).first() if slug else None
    board = selectors.leaderboard_page(request.user, period=period, category_id=category.pk if category else None)
    return render(request, "loyalty/leaderboard.html", {
        "rows": board.rows, "mine": board.mine, "period": period, "category": category,
        "categories": Category.objects.only("name", "slug"), "periods": list(selectors.PERIODS),
    })


def reward_list(request):
    member = request.user
    if not member.is_authenticated:
        return render(request, "loyalty/rewards.html", {"rewards": selectors.rewards()})
    account = selectors.account_of(member)
    context = {"account": account, "rewards": selectors.rewards_for(member, balance=account.balance),
               "my_redemptions": selectors.redemptions_of(member)}
    if permissions.can_fulfil_rewards(member):
        context["pending"] = selectors.pending_redemptions()
    return render(request, "loyalty/rewards.html", context)


@login_required
@require_POST
def reward_redeem(request, reward_id):
    reward = get_object_or_404(Reward, pk=reward_id)
    try:
        services.redeem(member=request.user, reward=reward)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Redeemed “%(name)s”. The community team will be in touch.") % {"name": _(reward.name)})
    return redirect("loyalty:rewards")


@login_required
@require_POST
def redemption_fulfil(request, redemption_id):
    permissions.check_can_fulfil_rewards(request.user)
    services.fulfil(redemption=get_object_or_404(Redemption, pk=redemption_id), manager=request.user)
    messages.success(request, _("Marked as fulfilled."))
    return redirect("loyalty:rewards")


@login_required
@require_POST
def kudos_send(request):
    permissions.check_can_send_kudos(request.user)
    form = KudosForm(request.POST)
    back = request.POST.get("next", "")
    # Only a path on this site: redirect() would take any other word for a view name and fail.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    if not form.is_valid():
        if form.has_error("post_id") and not form.has_error("message"):
            messages.error(request, _("The post you are thanking for was not found."))
        else:
            messages.error(request, _("Write a short thank-you (up to 280 characters)."))
        return redirect(back)
    receiver = User.objects.named(form.cleaned_data["receiver"]).first()
    if receiver is None:
        messages.error(request, _("No member is called “%(name)s”.") % {"name": form.cleaned_data["receiver"]})
        return redirect(back)
    try:
        services.send_kudos(sender=request.user, receiver=receiver, message=form.cleaned_data["message"],
                            post_id=form.cleaned_data["post_id"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Kudos sent to %(name)s.") % {"name": receiver.name})
    return redirect(back)


@login_required
@require_POST
def leader_set(request, username):
    """Tier 4 (Leader) is given and taken only by community managers."""
    member = get_object_or_404(User, username=username, is_active=True)
    permissions.check_can_make_leader(request.user, member)
    make_leader = request.POST.get("action") == "make"
    change = tiers.set_tier_by_manager(member=member, tier=4 if make_leader else 3)
    if change:
        member.refresh_from_db(fields=["tier"])
        notify_tier_change(member, change)
        refresh_standing(member.pk, force=True)  # the Leader badge
        messages.success(request, _("%(name)s is now a Leader.") % {"name": member.name} if make_leader
                         else _("%(name)s is no longer a Leader.") % {"name": member.name})
    return redirect("members:profile", username=member.username)
