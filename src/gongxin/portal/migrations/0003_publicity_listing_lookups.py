"""Two indexes the double-publicity listing needs to stay one short index range at any size (decision 044).

1. ``records_record_current_version_uniq`` — the records by their current version. The listing walks the
   versions' publicity index (portal 0002) in its order and finds each version's record through the record's
   current-version key; without this index PostgreSQL cannot go from a version to its record (the join
   ``records.current_version_id = versions.id`` is then a hash join over every record, then a sort: 2.6 s per
   page at 1M records). Records 0008 dropped the unique constraint as unused (decision 047); the listing is
   its user. It is unique (a version is the current one of one record at most), which also tells the planner
   that the join finds one record per version.
2. ``records_version_layout_idx`` — the versions by payload layout, ``(payload -> 0)`` (PostgreSQL only). The
   type filter (licence category, penalty type) is a set of layouts (``records.packing.payload_key_q``); with
   this index a rare or absent type is a few bitmap index probes instead of a scan of every listed record,
   and ``ANALYZE`` keeps statistics of the expression, so the planner knows how common a type is and walks the
   publicity index for a common one. SQLite writes the same key as a ``CASE`` over bound parameters, which no
   expression index can match; it keeps scanning, at demo size.

Both are created per partition on the partitioned tables (records 0007).
"""

from django.db import migrations

CURRENT_VERSION_INDEX = "records_record_current_version_uniq"
LAYOUT_INDEX = "records_version_layout_idx"


def forward(apps, schema_editor):
    schema_editor.execute(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{CURRENT_VERSION_INDEX}" ON "records_record" (current_version_id)'
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{LAYOUT_INDEX}" ON "records_recordversion" ((payload -> 0))'
        )


def backward(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{LAYOUT_INDEX}"')
    schema_editor.execute(f'DROP INDEX IF EXISTS "{CURRENT_VERSION_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_publicity_listing_index"),
        ("records", "0009_repeating_values_in_layouts"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
