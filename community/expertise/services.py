"""Appointing and removing experts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.expertise.models import Expertise


def expert_appoint(*, member, tags, appointed_by) -> list[Expertise]:
    """Make `member` an expert in each tag; tags they already hold are left as they are."""
    if not member.is_active:
        raise ValidationError(_("%(name)s is suspended or gone and cannot be an expert.") % {"name": member.username})
    tags = list(tags)
    if not tags:
        raise ValidationError(_("Choose at least one tag."))
    now = timezone.now()
    with transaction.atomic():
        Expertise.objects.bulk_create(
            [Expertise(member=member, tag=tag, appointed_by=appointed_by, created_at=now) for tag in tags],
            ignore_conflicts=True,
        )
    return list(Expertise.objects.filter(member=member, tag__in=tags))


def expert_remove(*, expertise: Expertise) -> None:
    expertise.delete()
