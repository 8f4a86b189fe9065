"""Site-wide views: health check and the error pages."""

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from community.liveness import health_report


@never_cache
def healthz(request):
    report = health_report()
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse({"status": "ok" if healthy else "down", **report}, status=200 if healthy else 503)


def bench_floor(request):
    """The floor of `make bench`: the full middleware stack (session, member, visit…) around a page that does nothing.

    Routed only with BENCH_FLOOR=true (community/urls.py); bench/load.py divides each page's figures by this one's.
    """
    return HttpResponse("floor\n", content_type="text/plain")


def bad_request(request, exception=None):
    # Standalone like the 500 page: the request it answers is malformed, so nothing reads its session.
    return HttpResponseBadRequest(loader.get_template("400.html").render({"LANGUAGE_CODE": get_language()}))


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def rate_limited(request):
    """allauth's refusal when a login, sign-up or password reset comes too often (ACCOUNT_RATE_LIMITS), in the
    site's look; its words are allauth's own, translated in allauth's catalogue."""
    from allauth.account.adapter import get_adapter

    return render(request, "429.html", {"reason": get_adapter(request).error_messages["rate_limited"]}, status=429)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors here: the request that failed may be what is broken.
    return HttpResponseServerError(loader.get_template("500.html").render())
