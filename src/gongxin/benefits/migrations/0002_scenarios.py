"""Seed the benefit providers and scenarios (policy data; see gongxin.benefits.seed)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gongxin.benefits.seed import scenarios_seed

    scenarios_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
