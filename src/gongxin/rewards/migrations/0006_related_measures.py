"""Seed the measures that follow a firm's listing to its people (rewards.seed; decision 071): the high-consumption
restriction on the legal representative and the actual controller of a dishonest judgment debtor firm, and the
watch on a firm founded while on a serious dishonesty list. Idempotent: only codes that do not exist are created."""

from datetime import datetime, timezone

from django.db import migrations


def forward(apps, schema_editor):
    from gongxin.rewards.seed import measures_seed

    measures_seed(
        Measure=apps.get_model("rewards", "Measure"),
        MeasureVersion=apps.get_model("rewards", "MeasureVersion"),
        RulesState=apps.get_model("rewards", "RulesState"),
        now=datetime(2026, 12, 7, tzinfo=timezone.utc),
    )


class Migration(migrations.Migration):
    dependencies = [("rewards", "0005_judgment_debtor_lift_court")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
