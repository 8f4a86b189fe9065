"""Default earning rules and tier thresholds (managers tune both in the admin)."""

from django.db import migrations

from loyalty.defaults import EARNING_RULES, TIER_REQUIREMENTS


def create_defaults(apps, schema_editor):
    EarningRule = apps.get_model("loyalty", "EarningRule")
    TierRequirement = apps.get_model("loyalty", "TierRequirement")
    for reason, (amount, cap) in EARNING_RULES.items():
        EarningRule.objects.get_or_create(reason=reason, defaults={"amount": amount, "daily_cap": cap})
    known = {field.name for field in TierRequirement._meta.get_fields()}
    for values in TIER_REQUIREMENTS:
        # Only the fields this migration knows; later ones (min_first_steps, 0011) are set where they are added.
        TierRequirement.objects.get_or_create(tier=values["tier"], defaults={k: v for k, v in values.items() if k in known})


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
