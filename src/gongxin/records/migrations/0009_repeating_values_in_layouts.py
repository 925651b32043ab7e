"""The values of repeating fields kept in the payload layouts (decision 047, ``records.packing.REPEATING_FIELDS``).

Existing versions whose payload has such a field are re-packed: their layout becomes ``[[keys...], {field:
value}]`` (stored once in ``records_versiontext``) and the array keeps only the other values. Rows are read and
written in chunks of 5,000 by id with executemany, on both databases, the immutability trigger set aside for the
conversion only, in the migration's transaction. PostgreSQL keeps the old row images until ``VACUUM`` (the space
is reused by new versions; ``VACUUM FULL`` of a partition returns it to the system).
"""

import json

from django.db import migrations

from gongxin.records.packing import layout_parse, payload_layout, text_id

TABLE = "records_recordversion"
TEXTS = "records_versiontext"
CHUNK = 5000

SQLITE_TRIGGER = f"""CREATE TRIGGER recordversion_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;"""


def _texts_store(cursor, texts):
    """Store ``texts`` (id -> text) and check no id is taken by another text."""
    if not texts:
        return
    cursor.executemany(f"INSERT INTO {TEXTS} (id, value) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                       list(texts.items()))
    cursor.execute(f"SELECT id, value FROM {TEXTS} WHERE id IN ({', '.join(['%s'] * len(texts))})",  # noqa: S608
                   list(texts))
    stored = dict(cursor.fetchall())
    if any(stored.get(ref) != text for ref, text in texts.items()):
        raise RuntimeError("a stored text id is taken by another text; convert these rows by hand")


def forward(apps, schema_editor):
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, value FROM {TEXTS} WHERE value LIKE %s", ["[%"])  # noqa: S608
        layouts = {}
        for ref, text in cursor.fetchall():
            try:
                layouts[ref] = layout_parse(text)
            except (ValueError, IndexError, TypeError):
                continue
        if postgres:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER recordversion_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS recordversion_no_update")
        last = 0
        while True:
            cursor.execute(f"SELECT id, payload FROM {TABLE} WHERE id > %s ORDER BY id LIMIT {CHUNK}",  # noqa: S608
                           [last])
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            texts, updates = {}, []
            for pk, stored in rows:
                stored = json.loads(stored) if isinstance(stored, str) else stored
                if not isinstance(stored, list) or stored[0] not in layouts:
                    continue  # stored plainly (a collision)
                keys, kept = layouts[stored[0]]
                values = iter(stored[1:])
                payload = {k: kept[k] if k in kept else next(values) for k in keys}
                layout, remaining = payload_layout(payload)
                ref = text_id(layout)
                if ref == stored[0]:
                    continue
                texts[ref] = layout
                updates.append((json.dumps([ref, *remaining], ensure_ascii=False, separators=(",", ":")), pk))
            _texts_store(cursor, texts)
            layouts.update({ref: layout_parse(text) for ref, text in texts.items()})
            cast = "::jsonb" if postgres else ""
            cursor.executemany(f"UPDATE {TABLE} SET payload = %s{cast} WHERE id = %s", updates)  # noqa: S608
        if postgres:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER recordversion_no_update")
        else:
            cursor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0008_unused_indexes_dropped'),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
