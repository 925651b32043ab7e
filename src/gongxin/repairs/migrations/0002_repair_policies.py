"""Insert the credit repair policies (catalog.Policy rows of kind "repair", repairs.seed)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongxin.repairs.seed import repair_policies_seed

    repair_policies_seed(Policy=apps.get_model("catalog", "Policy"))


def unseed(apps, schema_editor):
    from gongxin.repairs.seed import policy_rows

    apps.get_model("catalog", "Policy").objects.filter(code__in=[r["code"] for r in policy_rows()]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_seed"),
        ("repairs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
