"""The pages managers write (community.models.SitePage): reading one in the reader's language, editing it.

The guidelines and the welcome exist from the first migration with starter text; managers rewrite them
at /pages/<slug>/edit/ (the one permissions authority decides who may)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import SitePage
from forums.markup import plain_line, render_markdown

GUIDELINES, WELCOME = "guidelines", "welcome"

# The starter text of each page (title and text, English then Russian): written by migration 0004, and again
# should the row be missing (a database flushed by tests).
STARTER = {
    "guidelines": (
        "Community guidelines", "Правила сообщества",
        "Be kind, especially to newcomers: everyone asks a first question once.\n\n"
        "- Search before you ask, and say what you tried.\n- Stay on topic; start a new thread for a new question.\n"
        "- Mark the reply that answered you: it helps the next person.\n- No spam, no personal attacks. Flag what breaks these rules.",
        "Будьте доброжелательны, особенно к новичкам: каждый когда-то задавал первый вопрос.\n\n"
        "- Поищите, прежде чем спрашивать, и расскажите, что уже попробовали.\n- Держитесь темы; для нового вопроса — новая тема.\n"
        "- Отметьте ответ, который помог: так его найдёт следующий.\n- Никакого спама и личных нападок. Сообщайте о нарушениях.",
    ),
    "welcome": (
        "Welcome to Roundtable!", "Добро пожаловать в Roundtable!",
        "We are glad you are here. Ask anything: newcomers' questions are answered first here, usually within hours.\n\n"
        "A few first steps on the home page will help you find your way.",
        "Мы рады, что вы с нами. Спрашивайте о чём угодно: здесь первыми отвечают новичкам, обычно в течение нескольких часов.\n\n"
        "Несколько первых шагов на главной странице помогут освоиться.",
    ),
}


def page(slug: str) -> SitePage:
    found = SitePage.objects.select_related("updated_by").filter(slug=slug).first()
    if found is not None:
        return found
    if slug not in STARTER:
        raise Http404
    title_en, title_ru, body_en, body_ru = STARTER[slug]
    found, _created = SitePage.objects.get_or_create(slug=slug, defaults={
        "title_en": title_en, "title_ru": title_ru, "body_en": body_en, "body_ru": body_ru,
        "body_html_en": render_markdown(body_en).html, "body_html_ru": render_markdown(body_ru).html})
    return found


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
