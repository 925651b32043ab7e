"""The alert policy with a monthly target share, ranking and caps per field (decision 072), from 2026-12-01."""

from django.db import migrations


def seed(apps, schema_editor):  # noqa: ANN001 - migration signature
    from gongxin.monitoring.seed import monitoring_policies_seed

    monitoring_policies_seed(apps.get_model("monitoring", "MonitoringPolicy"))


def unseed(apps, schema_editor):  # noqa: ANN001 - migration signature
    apps.get_model("monitoring", "MonitoringPolicy").objects.filter(code="alerts.org.2026-12").delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_alert_cause_priority_field_dashboard_figures")]

    operations = [migrations.RunPython(seed, unseed)]
