"""Fill ``Subject.name_initials`` of the organizations registered before the field existed.

Set-based and in batches (one transaction each), so the migration is not atomic: if interrupted, run
``migrate`` again; rows already filled are skipped.
"""

from django.db import migrations

from gongxin.subjects.search_indexes import name_initials_backfill


def forward(apps, schema_editor):
    name_initials_backfill(subject_model=apps.get_model("subjects", "Subject"),
                           using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("subjects", "0002_subject_name_initials"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=True),
    ]
