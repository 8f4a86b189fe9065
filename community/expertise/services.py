"""Appointing and removing experts; what an expert takes on (away, a weekly cap); recording a routing."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from community.expertise.models import ExpertAvailability, Expertise, RoutedQuestion
from community.expertise.selectors import expert_today
from forums import page_cache

MAX_AWAY_DAYS = 366
MAX_WEEKLY_CAP = 500


def expert_appoint(*, member, tags, appointed_by) -> list[Expertise]:
    """Make `member` an expert in each tag; tags they already hold are left as they are."""
    if not member.is_active:
        raise ValidationError(_("%(name)s is suspended or gone and cannot be an expert.") % {"name": member.username})
    tags = list(tags)
    if not tags:
        raise ValidationError(_("Choose at least one tag."))
    now = timezone.now()
    with transaction.atomic():
        page_cache.site_changed()  # expert flair on their posts
        Expertise.objects.bulk_create(
            [Expertise(member=member, tag=tag, appointed_by=appointed_by, created_at=now) for tag in tags],
            ignore_conflicts=True,
        )
    return list(Expertise.objects.filter(member=member, tag__in=tags))


def expert_remove(*, expertise: Expertise) -> None:
    page_cache.site_changed()
    expertise.delete()


def expert_withdraw(*, member) -> int:
    """A member who deleted their account is an expert no more: their tags and availability go, so routing,
    the experts pages and the flair on their kept posts leave them out. What was routed to them stays (the
    experts' figures count it). Returns how many tags they held."""
    with transaction.atomic():
        held, _by_model = Expertise.objects.filter(member=member).delete()
        ExpertAvailability.objects.filter(member=member).delete()
        if held:
            page_cache.site_changed()  # expert flair on their posts
    return held


# -- availability: away until a day, at most N routed questions a week -------------------------------

def availability_lock(member) -> ExpertAvailability:
    """The member's availability row, made if missing, locked until the caller's transaction ends.

    Routing and the expert's own change both take this lock, so they are ordered: routing decides on the
    availability as it is once any change in flight has committed. Inserted with ON CONFLICT DO NOTHING,
    so two first-time lockers never fail on the one-to-one constraint (the second waits for the first).
    Call it inside a transaction (select_for_update refuses otherwise)."""
    ExpertAvailability.objects.bulk_create([ExpertAvailability(member=member)], ignore_conflicts=True)
    return ExpertAvailability.objects.select_for_update().get(member=member)


def check_availability(*, member, away_until: date | None, weekly_cap: int | None, now=None) -> None:
    today = expert_today(member, now)
    if away_until is not None and away_until < today:
        raise ValidationError(_("Choose today or a later day to be away until, or leave it empty to be back."))
    if away_until is not None and away_until > today + timedelta(days=MAX_AWAY_DAYS):
        raise ValidationError(_("You can be away for a year at most; choose a day before %(day)s.")
                              % {"day": formats.date_format(today + timedelta(days=MAX_AWAY_DAYS), "DATE_FORMAT")})
    if weekly_cap is not None and not 1 <= weekly_cap <= MAX_WEEKLY_CAP:
        raise ValidationError(_("A weekly limit is between 1 and %(max)d questions; leave it empty for no limit, "
                                "or set yourself away to take none.") % {"max": MAX_WEEKLY_CAP})


def availability_set(*, member, away_until: date | None, weekly_cap: int | None) -> ExpertAvailability:
    """Set what the expert takes on. Questions already routed to them stay theirs; this governs the next ones."""
    now = timezone.now()
    check_availability(member=member, away_until=away_until, weekly_cap=weekly_cap, now=now)
    with transaction.atomic():
        availability = availability_lock(member)
        availability.away_until, availability.weekly_cap, availability.updated_at = away_until, weekly_cap, now
        availability.save(update_fields=["away_until", "weekly_cap", "updated_at"])
    return availability


def routing_record(*, expert, thread, now=None) -> bool:
    """Record that routing tells `expert` about `thread`; False when it already did (a job run twice).

    Idempotent by the (expert, thread) constraint; called under the expert's availability lock."""
    _row, created = RoutedQuestion.objects.get_or_create(expert=expert, thread=thread,
                                                         defaults={"routed_at": now or timezone.now()})
    return created
