"""The pages managers write (community.models.SitePage): reading one in the reader's language, editing it.

The guidelines and the welcome exist from the first migration with starter text; managers rewrite them
at /pages/<slug>/edit/ (the one permissions authority decides who may)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import SitePage
from forums.markup import plain_line, render_markdown

GUIDELINES, WELCOME = "guidelines", "welcome"


def page(slug: str) -> SitePage:
    return get_object_or_404(SitePage.objects.select_related("updated_by"), slug=slug)


def page_update(*, page: SitePage, editor, title_en: str, title_ru: str, body_en: str, body_ru: str) -> SitePage:
    title_en, title_ru = plain_line(title_en), plain_line(title_ru)
    if not title_en or not body_en.strip():
        raise ValidationError(_("The English title and text are needed; the Russian ones may wait."))
    with transaction.atomic():
        page.title_en, page.title_ru, page.body_en, page.body_ru = title_en, title_ru, body_en.strip(), body_ru.strip()
        page.body_html_en = render_markdown(page.body_en).html
        page.body_html_ru = render_markdown(page.body_ru).html if page.body_ru else ""
        page.updated_by, page.updated_at = editor, timezone.now()
        page.save()
    return page
