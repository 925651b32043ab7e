"""Seed the default models (organizations, Tianyi score), supervision defaults and partner schemes."""

from django.db import migrations


def forward(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    from gongxin.scoring.seed import scoring_seed

    scoring_seed(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
