"""Insert the commitment types and the catalog item "broken commitment" (commitments.seed)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongxin.commitments.seed import commitments_seed

    commitments_seed(
        CommitmentType=apps.get_model("commitments", "CommitmentType"),
        CatalogEdition=apps.get_model("catalog", "CatalogEdition"),
        CatalogItem=apps.get_model("catalog", "CatalogItem"),
    )


def unseed(apps, schema_editor):
    from gongxin.commitments.seed import BROKEN_ITEM_CODE, TYPE_ROWS

    apps.get_model("commitments", "CommitmentType").objects.filter(code__in=[r["code"] for r in TYPE_ROWS]).delete()
    apps.get_model("catalog", "CatalogItem").objects.filter(code=BROKEN_ITEM_CODE, records__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_seed"),
        ("commitments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
