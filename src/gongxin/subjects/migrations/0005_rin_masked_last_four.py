"""Masked RINs keep their last 4 characters only (decision 029): recompute the stored masked form from
the old one (first 6 and last 4), which needs no key."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Right


def mask_last_four(apps, schema_editor):
    Person = apps.get_model("subjects", "Person")
    Person.objects.exclude(rin_masked__startswith="*" * 14).update(
        rin_masked=Concat(Value("*" * 14), Right("rin_masked", 4)))


class Migration(migrations.Migration):

    dependencies = [
        ("subjects", "0004_search_indexes"),
    ]

    operations = [
        migrations.RunPython(mask_last_four, migrations.RunPython.noop, elidable=True),
    ]
