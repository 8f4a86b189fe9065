"""Template helpers shared by every page: relative times, avatars, query strings."""

from functools import lru_cache
from html import unescape

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import formats, timezone, translation
from django.utils.html import format_html, format_html_join, strip_tags

from forums import routes

register = template.Library()


@register.filter
def reltime(value):
    """'3 hours ago' with the exact local time on hover."""
    if not value:
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        _local_datetime(value, translation.get_language(), timezone.get_current_timezone_name()),
        naturaltime(value),
    )


@register.filter
def tag_options(tags) -> str:
    """Tag names as a datalist's options: one join, not a template loop (200 of them on the search page)."""
    return format_html_join("", '<option value="{}">', ((tag.name,) for tag in tags))


# Pure functions of their arguments and costly (a localized date is about as dear as the rest of a ledger row,
# stripping a post's HTML dearer still), asked again for the same values on every view of a list: kept per process.
@lru_cache(maxsize=8192)
def _local_datetime(value, language, zone_name) -> str:
    """The exact local time in the active language and time zone (both part of the key: only they change it)."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@register.simple_tag
def avatar(user, size: int = 40):
    """A generated initials avatar: no upload, no image request."""
    return format_html(
        '<span class="avatar" style="--size:{}px;background:{}" aria-hidden="true">{}</span>',
        int(size), user.avatar_colour, user.initials,
    )


@register.simple_tag
def route(name: str, *args) -> str:
    """`{% url %}` for rows of a list: the same address, without walking the resolver for each row (forums.routes)."""
    return routes.route(name, *args)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, for pagination and filters."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


@register.filter
def plain_text(html: str) -> str:
    """A post's rendered HTML as the words a reader sees (for snippets): no Markdown marks, no tags, entities read."""
    return _plain_text(str(html or ""))


@lru_cache(maxsize=4096)
def _plain_text(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


@register.filter
def hours_of(seconds) -> str:
    """Seconds as hours for a target: "4", "2.5", "0.5"."""
    hours = float(seconds or 0) / 3600
    return f"{hours:g}" if hours < 10 else f"{round(hours)}"
