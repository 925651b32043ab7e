"""Seed the default monitoring policies (training parameters and alert rules)."""

from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001 - migration signature
    from gongxin.monitoring.seed import monitoring_policies_seed

    monitoring_policies_seed(apps.get_model("monitoring", "MonitoringPolicy"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
