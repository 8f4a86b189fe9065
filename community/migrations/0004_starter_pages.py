"""The guidelines and the welcome, with starter text managers rewrite (rendered by the site's Markdown pipeline)."""

from django.db import migrations

PAGES = {
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


def forwards(apps, schema_editor):
    from forums.markup import render_markdown

    SitePage = apps.get_model("community", "SitePage")
    for slug, (title_en, title_ru, body_en, body_ru) in PAGES.items():
        SitePage.objects.get_or_create(slug=slug, defaults={
            "title_en": title_en, "title_ru": title_ru, "body_en": body_en, "body_ru": body_ru,
            "body_html_en": render_markdown(body_en).html, "body_html_ru": render_markdown(body_ru).html})


class Migration(migrations.Migration):
    dependencies = [("community", "0003_site_pages")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
