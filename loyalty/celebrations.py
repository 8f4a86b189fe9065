"""Join anniversaries and birthdays: who celebrates today, and greeting them once a day."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from community.notifications.models import Kind
from community.notifications.services import notify
from loyalty import badges, ledger
from loyalty.models import Reason

User = get_user_model()


def celebrating_on(day) -> dict[str, list]:
    """Members whose join anniversary (a year or more) or birthday falls on `day`."""
    anniversaries = list(
        User.objects.filter(is_active=True, date_joined__month=day.month, date_joined__day=day.day, date_joined__year__lt=day.year)
        .only("username", "display_name", "date_joined", "language").order_by("date_joined")
    )
    birthdays = list(
        User.objects.filter(Q(profile__birthday_month=day.month, profile__birthday_day=day.day), is_active=True)
        .only("username", "display_name", "language").order_by("username")
    )
    return {"anniversaries": anniversaries, "birthdays": birthdays}


def celebrating_today_cached() -> dict[str, list[tuple[str, str]]]:
    """(username, name) pairs for the home page strip, cached for the day."""
    today = timezone.localdate()
    key = f"loyalty:celebrating:{today}"
    found = cache.get(key)
    if found is None:
        people = celebrating_on(today)
        found = {kind: [(m.username, m.name) for m in members[:12]] for kind, members in people.items()}
        cache.set(key, found, timeout=60 * 60)
    return found


def celebrate(day) -> int:
    """Greet everyone celebrating on `day` once: a notification, and the Anniversary badge or birthday points."""
    greeted = 0
    people = celebrating_on(day)
    for member in people["anniversaries"]:
        years = day.year - member.date_joined.year
        with override(member.language or None):
            text = _("Happy %(years)d-year anniversary in the community! Thank you for being here.") % {"years": years}
        badges.award_earned_badges(member, {}, only=["anniversary"])
        if notify(recipient=member, kind=Kind.CELEBRATION, dedupe_key=f"anniversary:{day.year}", text=text):
            greeted += 1
    for member in people["birthdays"]:
        with override(member.language or None):
            text = _("Happy birthday from everyone here!")
        ledger.award(member_id=member.pk, reason=Reason.CELEBRATION, source_type="birthday", source_id=day.year)
        if notify(recipient=member, kind=Kind.CELEBRATION, dedupe_key=f"birthday:{day.year}", text=text):
            greeted += 1
    return greeted
