"""Drop indexes that only slow the bulk path: the version's record index (uniq_version_number starts with
the record), the record's source-unit index (uniq_record_identity starts with it) and the versions' two
policy indexes (a handful of policies against a billion versions).

Only the state changes everywhere; the indexes are dropped on PostgreSQL, found by introspection. SQLite
keeps them: altering a foreign key there rebuilds the table, which would drop the immutability triggers
of migration 0002 — and the embedded default is not the scale target.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPS = [
    ("records_recordversion", "record_id"),
    ("records_recordversion", "publicity_policy_id"),
    ("records_recordversion", "retention_policy_id"),
    ("records_record", "source_unit_id"),
]


def _single_column_indexes(schema_editor, table, column):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [name for name, info in constraints.items()
            if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]]


def forward(apps, schema_editor):  # noqa: ARG001
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in DROPS:
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def backward(apps, schema_editor):  # noqa: ARG001
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in DROPS:
        if not _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f'CREATE INDEX "{table}_{column}_idx" ON "{table}" ("{column}")')


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_seed'),
        ('records', '0004_changekind_list_removed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name='record',
                    name='source_unit',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='catalog.sourceunit', verbose_name='source unit'),
                ),
                migrations.AlterField(
                    model_name='recordversion',
                    name='publicity_policy',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.policy'),
                ),
                migrations.AlterField(
                    model_name='recordversion',
                    name='record',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='records.record'),
                ),
                migrations.AlterField(
                    model_name='recordversion',
                    name='retention_policy',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.policy'),
                ),
            ],
        ),
    ]
