"""Seed the measures of the rules reference (rewards.seed) and the rules state row."""

from datetime import datetime, timezone

from django.db import migrations


def forward(apps, schema_editor):
    from gongxin.rewards.seed import measures_seed

    measures_seed(
        Measure=apps.get_model("rewards", "Measure"),
        MeasureVersion=apps.get_model("rewards", "MeasureVersion"),
        RulesState=apps.get_model("rewards", "RulesState"),
        now=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
