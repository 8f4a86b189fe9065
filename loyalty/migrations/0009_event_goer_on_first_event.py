"""Event Goer is now given for the first event (core attendees get their own badge): its row says so."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("loyalty", "Badge").objects.filter(slug="event-goer").update(description="Came to an event.")


def backwards(apps, schema_editor):
    apps.get_model("loyalty", "Badge").objects.filter(slug="event-goer").update(description="Attended 3 events.")


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0008_figures_by_day_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
