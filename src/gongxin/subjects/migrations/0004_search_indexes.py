"""PostgreSQL only: pg_trgm and the indexes of the public organization search (a no-op on SQLite).

See ``gongxin.subjects.search_indexes`` for what is created and why. The indexes are not in the
models' ``Meta.indexes`` because SQLite can build none of them.
"""

from django.db import migrations

from gongxin.subjects.search_indexes import search_indexes_create, search_indexes_drop


def forward(apps, schema_editor):
    search_indexes_create(schema_editor)


def backward(apps, schema_editor):
    search_indexes_drop(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("subjects", "0003_name_initials_backfill"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
