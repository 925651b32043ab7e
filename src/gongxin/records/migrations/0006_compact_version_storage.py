"""Compact storage of record versions (decision 047): the payload as ``[layout, values...]`` with its keys stored
once (``records_versiontext``), the legal basis by reference to its stored text, the content hash as 32 bytes.

The column names stay (``payload``, ``legal_basis``, ``content_hash``); the model reads them through properties.
Existing rows are converted in place: on PostgreSQL by three set-based statements (the texts, one UPDATE of the
versions, the hash column's type); on SQLite (the embedded default, demo sizes) in chunks of 2,000 rows with
executemany. The immutability triggers are set aside for the conversion only, in the migration's transaction.
"""

import json

from django.db import migrations, models

import gongxin.records.fields
from gongxin.records.packing import layout_text, text_id

TABLE = "records_recordversion"
TEXTS = "records_versiontext"

POSTGRES_FORWARD = f"""
CREATE FUNCTION pg_temp.gx_text_id(t text) RETURNS bigint IMMUTABLE LANGUAGE sql AS
  $$ SELECT ('x' || substr(encode(sha256(convert_to(t, 'UTF8')), 'hex'), 1, 10))::bit(40)::bigint $$;
CREATE FUNCTION pg_temp.gx_layout(p jsonb) RETURNS text IMMUTABLE LANGUAGE sql AS
  $$ SELECT '[' || coalesce(string_agg(to_json(k)::text, ',' ORDER BY k COLLATE "C"), '') || ']'
     FROM jsonb_object_keys(p) AS k $$;
INSERT INTO {TEXTS} (id, value)
  SELECT DISTINCT ON (pg_temp.gx_text_id(t)) pg_temp.gx_text_id(t), t FROM (
    SELECT DISTINCT pg_temp.gx_layout(payload) AS t FROM {TABLE} WHERE jsonb_typeof(payload) = 'object'
    UNION SELECT DISTINCT legal_basis FROM {TABLE} WHERE legal_basis <> '') s
  ON CONFLICT (id) DO NOTHING;
ALTER TABLE {TABLE} DISABLE TRIGGER recordversion_no_update;
UPDATE {TABLE} v SET
  payload = CASE WHEN l.ref IS NULL THEN v.payload ELSE jsonb_build_array(l.ref)
            || coalesce((SELECT jsonb_agg(e.value ORDER BY e.key COLLATE "C") FROM jsonb_each(v.payload) e), '[]')
            END,
  legal_basis_ref = b.id,
  legal_basis = CASE WHEN b.id IS NULL THEN v.legal_basis ELSE '' END
FROM {TABLE} v2
  LEFT JOIN LATERAL (SELECT t.id AS ref FROM {TEXTS} t WHERE jsonb_typeof(v2.payload) = 'object'
                     AND t.id = pg_temp.gx_text_id(pg_temp.gx_layout(v2.payload))
                     AND t.value = pg_temp.gx_layout(v2.payload)) l ON true
  LEFT JOIN {TEXTS} b ON v2.legal_basis <> '' AND b.id = pg_temp.gx_text_id(v2.legal_basis)
                     AND b.value = v2.legal_basis
WHERE v2.id = v.id;
ALTER TABLE {TABLE} ENABLE TRIGGER recordversion_no_update;
ALTER TABLE {TABLE} ALTER COLUMN content_hash TYPE bytea USING decode(content_hash, 'hex');
"""

SQLITE_TRIGGER = f"""CREATE TRIGGER recordversion_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'record versions are immutable'); END;"""


def _sqlite_convert(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS recordversion_no_update")
        last = 0
        while True:
            cursor.execute(f"SELECT id, payload, legal_basis, content_hash FROM {TABLE} WHERE id > %s "  # noqa: S608
                           "ORDER BY id LIMIT 2000", [last])
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            texts = {}
            updates = []
            for pk, payload_json, basis, digest in rows:
                payload = json.loads(payload_json) if isinstance(payload_json, str) else payload_json
                ref = None
                if isinstance(payload, dict):
                    keys = sorted(payload)
                    layout = layout_text(keys)
                    texts[text_id(layout)] = layout
                    payload = [text_id(layout), *(payload[k] for k in keys)]
                if basis:
                    ref = text_id(basis)
                    texts[ref] = basis
                if isinstance(digest, str):
                    digest = bytes.fromhex(digest)
                updates.append((json.dumps(payload, ensure_ascii=False, separators=(",", ":")), ref,
                                "" if ref else basis, digest, pk))
            cursor.executemany(f"INSERT INTO {TEXTS} (id, value) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                               list(texts.items()))
            cursor.execute(f"SELECT id, value FROM {TEXTS} WHERE id IN ({', '.join(['%s'] * len(texts))})",  # noqa: S608
                           list(texts)) if texts else None
            stored = dict(cursor.fetchall()) if texts else {}
            if any(stored.get(ref) != text for ref, text in texts.items()):
                raise RuntimeError("a stored text id is taken by another text; convert these rows by hand")
            cursor.executemany(f"UPDATE {TABLE} SET payload = %s, legal_basis_ref = %s, legal_basis = %s, "  # noqa: S608
                               "content_hash = %s WHERE id = %s", updates)
        cursor.execute(SQLITE_TRIGGER)


def forward(apps, schema_editor):  # noqa: ARG001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        _sqlite_convert(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0005_drop_redundant_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='VersionText',
            fields=[
                ('id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('value', models.TextField(verbose_name='text')),
            ],
            options={
                'verbose_name': 'stored version text',
                'verbose_name_plural': 'stored version texts',
            },
        ),
        migrations.AddField(
            model_name='recordversion',
            name='legal_basis_ref',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='legal basis (stored text)'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name='recordversion', old_name='payload', new_name='packed_payload'),
                migrations.AlterField(
                    model_name='recordversion',
                    name='packed_payload',
                    field=models.JSONField(db_column='payload', verbose_name='content'),
                ),
                migrations.RenameField(model_name='recordversion', old_name='legal_basis',
                                       new_name='legal_basis_text'),
                migrations.AlterField(
                    model_name='recordversion',
                    name='legal_basis_text',
                    field=models.TextField(blank=True, db_column='legal_basis', verbose_name='legal basis'),
                ),
                migrations.AlterField(
                    model_name='recordversion',
                    name='content_hash',
                    field=gongxin.records.fields.Sha256Field(verbose_name='content hash'),
                ),
            ],
            database_operations=[migrations.RunPython(forward)],  # one way: the old form is not written again
        ),
    ]
