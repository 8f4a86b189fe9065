"""Default earning rules and tier thresholds (managers tune both in the admin)."""

from django.db import migrations

from loyalty.defaults import EARNING_RULES, TIER_REQUIREMENTS


def create_defaults(apps, schema_editor):
    EarningRule = apps.get_model("loyalty", "EarningRule")
    TierRequirement = apps.get_model("loyalty", "TierRequirement")
    for reason, (amount, cap) in EARNING_RULES.items():
        EarningRule.objects.get_or_create(reason=reason, defaults={"amount": amount, "daily_cap": cap})
    for values in TIER_REQUIREMENTS:
        TierRequirement.objects.get_or_create(tier=values["tier"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
