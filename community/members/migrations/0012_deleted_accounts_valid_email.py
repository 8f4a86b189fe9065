"""Deleted accounts were scrubbed to `deleted-<id>@invalid`, which Django's email check refuses (the admin could not
save them); `deleted-<id>@deleted.invalid` reaches nobody either (.invalid is reserved, RFC 2606) and passes."""

from django.db import migrations
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat


def forwards(apps, schema_editor):
    User = apps.get_model("members", "User")
    User.objects.filter(deleted_at__isnull=False, email__endswith="@invalid").update(
        email=Concat(Value("deleted-"), Cast(F("id"), CharField()), Value("@deleted.invalid"), output_field=CharField()))


class Migration(migrations.Migration):
    dependencies = [("members", "0011_user_deleted_at")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
