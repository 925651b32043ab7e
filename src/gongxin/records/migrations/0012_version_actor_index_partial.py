"""The versions' actor index without the versions that have no actor (decision 088).

Bulk loads and the clock jobs write versions without an actor; the index, kept only for the check that a deleted
user wrote no version, held an entry for each of them (6.5 B a version on the 1M-record city). The new index is
partial (``WHERE actor_id IS NOT NULL``): a lookup ``actor_id = …`` implies it, so the check still reads it.

Only the column's index is dropped (found by introspection; on PostgreSQL the partitioned index with its
partitions' indexes): Django's own ``AlterField`` would also drop and re-add the foreign key, and on SQLite
rebuild the versions table, whose immutability triggers would go with it.
"""

from django.conf import settings
from django.db import migrations, models


def actor_index_drop(apps, schema_editor):
    model = apps.get_model("records", "RecordVersion")
    table = model._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["columns"] == ["actor_id"] and info["index"] and not (info["unique"] or info["primary_key"]
                                                                      or info["foreign_key"]):
            schema_editor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0011_record_source_fingerprint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='recordversion',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=models.deletion.PROTECT, related_name='+',
                                            to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[migrations.RunPython(actor_index_drop, elidable=False)],
        ),
        migrations.AddIndex(
            model_name='recordversion',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'],
                               name='records_version_actor_idx'),
        ),
    ]
