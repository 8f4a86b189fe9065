"""Request middleware: the member's language and time zone, the Content Security Policy, and refusing NUL bytes."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import timezone, translation

# No inline scripts anywhere: a sanitiser miss still cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' https: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class MemberPreferencesMiddleware:
    """Use the language and time zone a signed-in member chose; the browser decides otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.language in self.languages:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone or "UTC"))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path, the query string, a form field or a cookie.

    PostgreSQL text cannot hold NUL (psycopg2 raises ValueError before the query is sent), and no
    member types one: a request carrying it is malformed, refused here once rather than in every view.
    It runs before anything reads the session, whose key comes from a cookie ("\\000" unquotes to NUL).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path_info
            or _holds_nul(request.GET.lists())
            or _holds_nul((name, [value]) for name, value in request.COOKIES.items())
            or (request.method == "POST" and _holds_nul(request.POST.lists()))
        ):
            raise BadRequest("NUL byte in the request")
        return self.get_response(request)


def _holds_nul(fields) -> bool:
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in fields)
