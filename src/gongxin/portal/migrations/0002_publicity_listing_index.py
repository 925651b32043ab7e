"""The index the double-publicity listing walks (decision 044), on the record versions table.

The listing is ordered by the current version's decision date, newest first with undated records last, then
by the current version's id (core.paging keyset ``portal.publicity``). This index holds exactly that order, so
the first page, any page after a cursor and the last page (the same index read backwards) are each one short
index range, joined to their records through the record's unique current-version key; the listing's filters
(kind, department, district, type) are checked on the way, and a period is a range of the same index.

It lives here, not in the records app, because it serves this app's reads only. SQLite orders nulls first
ascending, so its ``DESC`` puts them last as the listing does; PostgreSQL says ``NULLS LAST``. On a
partitioned versions table (records 0007, PostgreSQL) the index is created on every partition.
"""

from django.db import migrations

INDEX = "records_version_publicity_idx"
TABLE = "records_recordversion"


def forward(apps, schema_editor):  # noqa: ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "{TABLE}" (decision_date DESC NULLS LAST, id DESC)'
        )
    else:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "{TABLE}" (decision_date DESC, id DESC)')


def backward(apps, schema_editor):  # noqa: ARG001
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_platform_figure"),
        ("records", "0006_compact_version_storage"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
