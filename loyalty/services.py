"""Loyalty operations members and managers start: redeeming rewards, fulfilling them, kudos, visits."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.jobs import enqueue_on_commit
from community.members.models import Tier
from loyalty import ledger
from loyalty.models import Kudos, Redemption, Reward, VisitDay

KUDOS_PER_DAY = 5
KUDOS_MAX_LENGTH = 280


@dataclass(frozen=True)
class Refusal:
    """Why a member cannot redeem a reward right now, worded twice: beside the reward before any click,
    and as the error a refused redemption answers (a stale page, a hand-made POST)."""

    code: str
    reason: str
    error: str


def redeem_refusal(*, member, reward: Reward, balance: int) -> Refusal | None:
    """The one rule for "may this member redeem this reward": the rewards page asks it for every card,
    `redeem` asks it again under the row locks. None means yes."""
    if not reward.is_active:
        message = _("This reward is no longer offered.")
        return Refusal("inactive", message, message)
    if member.tier < reward.min_tier:
        tier = {"tier": reward.min_tier, "name": Tier(reward.min_tier).label if reward.min_tier in Tier.values else ""}
        return Refusal("tier", _("Unlocks at tier %(tier)d · %(name)s") % tier,
                       _("This reward needs tier %(tier)d (%(name)s).") % tier)
    if reward.stock is not None and reward.stock <= 0:
        return Refusal("stock", _("Out of stock"), _("Sorry, “%(name)s” is out of stock.") % {"name": _(reward.name)})
    if balance < reward.cost:
        missing = reward.cost - balance
        return Refusal("balance",
                       ngettext("You need %(n)d more point", "You need %(n)d more points", missing) % {"n": missing},
                       _("You need %(cost)d points and have %(balance)d.") % {"cost": reward.cost, "balance": balance})
    return None


def check_can_redeem(*, member, reward: Reward, balance: int) -> None:
    refusal = redeem_refusal(member=member, reward=reward, balance=balance)
    if refusal is not None:
        raise ValidationError(refusal.error, code=refusal.code)


def redeem(*, member, reward: Reward) -> Redemption:
    """Spend points on a reward: account and reward rows locked, points, stock and record in one transaction."""
    with transaction.atomic():
        account = ledger.locked_account(member.pk)
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        check_can_redeem(member=member, reward=reward, balance=account.balance)
        redemption = Redemption.objects.create(member=member, reward=reward, cost=reward.cost, created_at=timezone.now())
        ledger.spend(account=account, amount=reward.cost, source_type="redemption", source_id=redemption.pk)
        if reward.stock is not None:
            reward.stock -= 1
            reward.save(update_fields=["stock"])
    return redemption


def fulfil(*, redemption: Redemption, manager) -> Redemption:
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.fulfilled_at is None:
            redemption.fulfilled_at, redemption.fulfilled_by = timezone.now(), manager
            redemption.save(update_fields=["fulfilled_at", "fulfilled_by"])
    return redemption


def send_kudos(*, sender, receiver, message: str, post_id: int | None = None) -> Kudos:
    """A public thank-you, at most five a day per sender; the receiver's points come from a job."""
    message = " ".join(message.split())
    if receiver.pk == sender.pk:
        raise ValidationError(_("Kudos are for thanking someone else."), code="self")
    if not receiver.is_active:
        raise ValidationError(_("%(name)s cannot receive kudos.") % {"name": receiver.username}, code="inactive")
    if not 1 <= len(message) <= KUDOS_MAX_LENGTH:
        raise ValidationError(_("Write a thank-you of 1 to %(max)d characters.") % {"max": KUDOS_MAX_LENGTH}, code="length")
    with transaction.atomic():
        ledger.locked_account(sender.pk)  # one sender at a time: the daily count below cannot race
        sent_today = Kudos.objects.filter(sender=sender, created_at__gte=timezone.now() - timedelta(days=1)).count()
        if sent_today >= KUDOS_PER_DAY:
            raise ValidationError(_("You have sent %(n)d kudos in the last 24 hours; try again tomorrow.") % {"n": KUDOS_PER_DAY},
                                  code="rate")
        kudos = Kudos.objects.create(sender=sender, receiver=receiver, message=message, post_id=post_id, created_at=timezone.now())
        from loyalty.tasks import kudos_sent

        enqueue_on_commit(kudos_sent, kudos.pk)
    return kudos


def kudos_words_remove(*, sender) -> int:
    """A member who deleted their account: the kudos they sent keep their rows, and so the points the receivers
    earned (the ledger is append-only and its entries point at these rows), but no longer their words, which
    were theirs. Returns how many kudos lost their message."""
    with transaction.atomic():
        return Kudos.objects.filter(sender=sender).exclude(message="").update(message="")


def record_visit(*, member_id: int, day) -> bool:
    return bool(VisitDay.objects.bulk_create([VisitDay(member_id=member_id, day=day)], ignore_conflicts=True))
