"""Moderator promotion: the nightly list of candidates, managers' decisions, the member's answer."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from community import permissions
from community.members.models import Tier
from community.notifications.messages import message, render
from community.notifications.models import Kind
from community.notifications.services import in_recipient_language, notify
from forums.models import Category
from loyalty.models import LoyaltyAccount
from moderation.models import Nomination, Sanction
from moderation.selectors import flag_accuracy
from moderation.services import grant_role, log

User = get_user_model()


def find_candidates(*, limit: int | None = None) -> list[Nomination]:
    """Tier 3+, top 90-day score, no sanction in a year, accurate flags; not moderators, not already nominated."""
    limit = limit or settings.MODERATION_CANDIDATES_PER_RUN
    now = timezone.now()
    sanctioned = Sanction.objects.filter(starts_at__gte=now - timedelta(days=365)).values("member_id")
    recently_nominated = Nomination.objects.filter(created_at__gte=now - timedelta(days=90)).values("member_id")
    pool = (
        User.objects.filter(is_active=True, tier__gte=Tier.CHAMPION)
        .exclude(pk__in=permissions.members_with_powers()).exclude(pk__in=sanctioned).exclude(pk__in=recently_nominated)
    )
    scores = dict(LoyaltyAccount.objects.filter(member__in=pool).values_list("member_id", "score_90d"))
    created = []
    for member in sorted(pool, key=lambda m: -scores.get(m.pk, 0)):
        resolved, accuracy = flag_accuracy(member)
        if resolved < settings.MODERATION_CANDIDATE_MIN_FLAGS or (accuracy or 0) < settings.MODERATION_CANDIDATE_MIN_ACCURACY:
            continue
        evidence = {"tier": member.tier, "score_90d": scores.get(member.pk, 0), "flags_resolved": resolved,
                    "flag_accuracy": round(accuracy, 2), "joined": member.date_joined.date().isoformat()}
        try:
            with transaction.atomic():
                created.append(Nomination.objects.create(member=member, evidence=evidence, created_at=now))
        except IntegrityError:
            continue
        if len(created) >= limit:
            break
    return created


def _open(nomination: Nomination, *statuses) -> Nomination:
    nomination = Nomination.objects.select_for_update().select_related("member").get(pk=nomination.pk)
    if nomination.status not in statuses:
        raise ValidationError(_("This nomination has been decided already."), code="decided")
    return nomination


def approve(*, nomination: Nomination, manager, categories: list[Category] | None = None) -> Nomination:
    with transaction.atomic():
        nomination = _open(nomination, Nomination.Status.CANDIDATE, Nomination.Status.DEFERRED)
        nomination.status, nomination.decided_by, nomination.decided_at = Nomination.Status.OFFERED, manager, timezone.now()
        nomination.category_ids = [c.pk for c in categories or []]
        nomination.save(update_fields=["status", "decided_by", "decided_at", "category_ids"])
        log(actor=manager, action="candidate_approved", target_type="member", target_id=nomination.member_id,
            after={"categories": nomination.category_ids or "site-wide"})
        said = message(gettext_noop("The community team invites you to become a moderator. Open your invitation to accept."))
        with in_recipient_language(nomination.member):
            text = render(said)
        notify(recipient=nomination.member, kind=Kind.MODERATION, dedupe_key=f"nomination:{nomination.pk}", text=text, message=said)
    return nomination


def decline(*, nomination: Nomination, manager, note: str) -> Nomination:
    note = " ".join(note.split())
    if len(note) < 3:
        raise ValidationError(_("Add a short note on why."), code="note")
    with transaction.atomic():
        nomination = _open(nomination, Nomination.Status.CANDIDATE, Nomination.Status.DEFERRED)
        nomination.status, nomination.note = Nomination.Status.DECLINED, note[:500]
        nomination.decided_by, nomination.decided_at = manager, timezone.now()
        nomination.save(update_fields=["status", "note", "decided_by", "decided_at"])
        log(actor=manager, action="candidate_declined", target_type="member", target_id=nomination.member_id, reason=note)
    return nomination


def defer(*, nomination: Nomination, manager) -> Nomination:
    with transaction.atomic():
        nomination = _open(nomination, Nomination.Status.CANDIDATE)
        nomination.status = Nomination.Status.DEFERRED
        nomination.save(update_fields=["status"])
    return nomination


def answer(*, nomination: Nomination, member, accept: bool) -> Nomination:
    """The member accepts (and gets their roles) or says no thanks."""
    with transaction.atomic():
        nomination = _open(nomination, Nomination.Status.OFFERED)
        if nomination.member_id != member.pk:
            raise ValidationError(_("This invitation is for someone else."), code="not_yours")
        nomination.status = Nomination.Status.ACCEPTED if accept else Nomination.Status.REFUSED
        nomination.save(update_fields=["status"])
        if accept:
            categories = list(Category.objects.filter(pk__in=nomination.category_ids)) or [None]
            for category in categories:
                grant_role(member=member, category=category, granted_by=nomination.decided_by)
        else:
            log(actor=member, action="moderation_offer_refused", target_type="member", target_id=member.pk)
    return nomination


def nominations_close_for_deleted(*, member) -> int:
    """A member who deleted their account leaves the candidates' list, and an invitation to them lapses:
    open nominations end as declined by the member (they left). Returns how many."""
    with transaction.atomic():
        return Nomination.objects.filter(member=member, status__in=[
            Nomination.Status.CANDIDATE, Nomination.Status.DEFERRED, Nomination.Status.OFFERED]).update(
            status=Nomination.Status.REFUSED)
