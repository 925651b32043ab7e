"""Indexes no query uses (decision 047): the records' unique index on ``current_version_id`` (a one-to-one
becomes a plain foreign key without an index; the join goes from the record to the version's primary key and
versions are never deleted) and the list entries' lone ``subject_id`` index (``(subject_id, is_active)``
starts with it).

On PostgreSQL only the unique constraint and the index are dropped: Django's own alteration would also drop and
re-add the foreign keys, and, on the partitioned versions, try to drop the constraints PostgreSQL keeps per
partition. SQLite rebuilds the tables as Django does.
"""

import django.db.models.deletion
from django.db import migrations, models


class IndexDropped(migrations.AlterField):
    """``AlterField`` that, on PostgreSQL, only drops the column's single-column indexes of the given kind."""

    def __init__(self, *args, unique, **kwargs):
        self.unique = unique
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "unique": self.unique}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        column = model._meta.get_field(self.name).column
        with schema_editor.connection.cursor() as cursor:
            constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if info["columns"] != [column] or info["foreign_key"] or info["primary_key"]:
                continue
            if self.unique and info["unique"]:
                schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            elif not self.unique and info["index"] and not info["unique"]:
                schema_editor.execute(f'DROP INDEX "{name}"')

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        raise NotImplementedError("the dropped indexes are not rebuilt")


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0007_partition_versions'),
        ('subjects', '0005_rin_masked_last_four'),
    ]

    operations = [
        IndexDropped(
            model_name='listentry', name='subject', unique=False,
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='list_entries', to='subjects.subject'),
        ),
        IndexDropped(
            model_name='record', name='current_version', unique=True,
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='records.recordversion', verbose_name='current version'),
        ),
    ]
