"""A suspended member is signed out on their next request and told why and until when."""

from django.contrib.auth import logout
from django.shortcuts import render

from moderation.models import Sanction


class SuspensionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_suspended:
            record = Sanction.objects.filter(member=user, kind=Sanction.Kind.SUSPEND, lifted_at__isnull=True).order_by("-ends_at").first()
            logout(request)
            return render(request, "moderation/suspended.html", {"sanction": record}, status=403)
        return self.get_response(request)
