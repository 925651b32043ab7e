"""Seed the lending data items and the risk-sharing fund (policy data; see gongxin.lending.seed)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gongxin.lending.seed import lending_seed

    lending_seed(apps)


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
