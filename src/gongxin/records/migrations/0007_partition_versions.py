"""PostgreSQL: record versions partitioned by range of id (decision 047); SQLite keeps the plain table.

The rows move with one INSERT … SELECT; the foreign keys to and from the table are recreated (deferrable, as
Django made them). The unique (record, number) becomes a unique index per partition; the immutability triggers
are recreated on the parent (row triggers reach every partition) and the TRUNCATE guard on each partition.
"""

from django.db import migrations

from gongxin.core.partitions import table_partition_by_id
from gongxin.records.partitions import version_partition_prepare, version_partition_size

TABLE = "records_recordversion"

TRIGGERS = f"""
CREATE TRIGGER recordversion_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION gongxin_version_immutable();
CREATE TRIGGER recordversion_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION gongxin_version_delete_guard();
CREATE TRIGGER recordversion_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION gongxin_version_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table_partition_by_id(schema_editor, table=TABLE, size=version_partition_size(),
                          skip_indexes=("uniq_version_number",), on_create=version_partition_prepare)
    schema_editor.execute(TRIGGERS)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ('records', '0006_compact_version_storage'),
    ]

    operations = [migrations.RunPython(forward)]
