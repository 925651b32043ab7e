"""Seed the policies and the 2026 catalog edition (gongxin.catalog.seed), with historical models."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongxin.catalog.seed import catalog_seed

    catalog_seed(
        Policy=apps.get_model("catalog", "Policy"),
        CatalogEdition=apps.get_model("catalog", "CatalogEdition"),
        CatalogItem=apps.get_model("catalog", "CatalogItem"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
