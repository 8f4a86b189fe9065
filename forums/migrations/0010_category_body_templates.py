from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("forums", "0009_reaction_created_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="body_template_en",
            field=models.TextField(
                blank=True,
                help_text="Pre-fills the message of a new thread in this category, e.g. “What I tried / What I expected / Versions”.",
                verbose_name="new thread template (English)",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="body_template_ru",
            field=models.TextField(
                blank=True,
                help_text="The same in Russian; when empty, Russian readers get the English one.",
                verbose_name="new thread template (Russian)",
            ),
        ),
    ]
