"""The "celebrating today" strip: looked up (and cached for the day) only when a page shows it."""

from functools import cache

from loyalty.celebrations import celebrating_today_cached


def celebrations(request):
    return {"celebrating_today": cache(celebrating_today_cached)}
