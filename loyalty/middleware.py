"""Count a signed-in member's visit once a day (for "days visited"); one Redis call per request."""

from django.core.cache import cache
from django.utils import timezone

from loyalty.services import record_visit


class VisitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            today = timezone.localdate()
            if cache.add(f"loyalty:visit:{user.pk}:{today}", 1, timeout=60 * 60 * 26):
                record_visit(member_id=user.pk, day=today)
        return self.get_response(request)
