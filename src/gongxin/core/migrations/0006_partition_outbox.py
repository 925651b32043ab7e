"""PostgreSQL: the event outbox partitioned by range of id (decision 047), so that events every consumer has
read are dropped a partition at a time (``gongxin outbox prune``) instead of deleted row by row. SQLite keeps
the plain table."""

from django.db import migrations

from gongxin.core.outbox_partitions import outbox_partition_size
from gongxin.core.partitions import table_partition_by_id


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table_partition_by_id(schema_editor, table="core_outboxevent", size=outbox_partition_size())


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_holiday_arrangements'),
    ]

    operations = [migrations.RunPython(forward)]
