"""The guidelines and the welcome, with starter text managers rewrite (rendered by the site's Markdown pipeline)."""

from django.db import migrations


from community.pages import STARTER as PAGES


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
