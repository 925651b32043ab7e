"""Event catalog v2: a repair step's audit action is its topic, ``repairs.repair.<step>`` (core.events)."""

from functools import partial

from django.db import migrations

from gongxin.core.events import topics_rename, topics_rename_back


class Migration(migrations.Migration):

    dependencies = [
        ("repairs", "0002_repair_policies"),
    ]

    operations = [
        migrations.RunPython(partial(topics_rename, model="repairs.RepairEvent", field="action"),
                             partial(topics_rename_back, model="repairs.RepairEvent", field="action")),
    ]
