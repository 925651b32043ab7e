"""The versions by payload layout as a bigint, ``((payload -> 0))::bigint``, instead of the jsonb ``(payload -> 0)``
(decision 088; PostgreSQL only, per partition as portal 0003 made it).

The layout is a number (an id of ``records_versiontext``), and a city has a few thousand of them over all its
versions. PostgreSQL deduplicates equal keys of a btree index into one entry with a list of row pointers, but only
for types whose equal values are stored alike — not jsonb or numeric: as jsonb every version kept an entry of its
own (47 B a version on the 1M-record city), as a bigint an entry holds hundreds of versions (7 B a version). The
type filter (``records.packing.payload_key_q``) writes the same expression, so the planner still answers it with
index probes and keeps statistics of it. Layout ids are below 2**40; a payload stored plainly (an object) has no
element 0 and gives null, as before.
"""

from django.db import migrations

INDEX = "records_version_layout_idx"
TABLE = "records_recordversion"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "{TABLE}" (((payload -> 0)::bigint))')


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "{TABLE}" ((payload -> 0))')


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_publicity_listing_lookups"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
