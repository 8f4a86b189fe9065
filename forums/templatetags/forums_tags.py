"""Template helpers shared by every page: relative times, avatars, query strings."""

from html import unescape

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join, strip_tags

register = template.Library()


@register.filter
def reltime(value):
    """'3 hours ago' with the exact local time on hover."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        formats.date_format(local, "DATETIME_FORMAT"),
        naturaltime(value),
    )


@register.filter
def tag_options(tags) -> str:
    """Tag names as a datalist's options: one join, not a template loop (200 of them on the search page)."""
    return format_html_join("", '<option value="{}">', ((tag.name,) for tag in tags))


@register.simple_tag
def avatar(user, size: int = 40):
    """A generated initials avatar: no upload, no image request."""
    return format_html(
        '<span class="avatar" style="--size:{}px;background:{}" aria-hidden="true">{}</span>',
        int(size), user.avatar_colour, user.initials,
    )


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
    return " ".join(unescape(strip_tags(html or "")).split())


@register.filter
def hours_of(seconds) -> str:
    """Seconds as hours for a target: "4", "2.5", "0.5"."""
    hours = float(seconds or 0) / 3600
    return f"{hours:g}" if hours < 10 else f"{round(hours)}"
