"""Moderation's aggregate figures for the health dashboard: flags raised and how they were resolved."""

from django.db.models import Count, Q

from moderation.models import Flag


def flags(start, end, *, category_ids=None) -> dict:
    """Flags raised in the range: total, still open, agreed with, disagreed with."""
    raised = Flag.objects.filter(created_at__gte=start, created_at__lt=end)
    if category_ids is not None:
        raised = raised.filter(post__thread__category_id__in=category_ids)
    return raised.aggregate(
        flags=Count("pk"), open=Count("pk", filter=Q(status=Flag.Status.OPEN)),
        agreed=Count("pk", filter=Q(status=Flag.Status.AGREED)), disagreed=Count("pk", filter=Q(status=Flag.Status.DISAGREED)))
