"""The catalog item of registration relations (legal representatives, shareholders with their shares, executives,
branches, actual controllers), ingested like every item; docs/monitoring.md, decision 070."""

from typing import Any

from django.db import migrations


def item_add(apps: Any, schema_editor: Any) -> None:
    from gongxin.catalog.seed import RELATION_ITEM

    CatalogEdition = apps.get_model("catalog", "CatalogEdition")
    CatalogItem = apps.get_model("catalog", "CatalogItem")
    for edition in CatalogEdition.objects.filter(code="2026"):
        values = dict(RELATION_ITEM)
        code = values.pop("code")
        CatalogItem.objects.update_or_create(edition=edition, code=code, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_policy_kind_repair")]

    operations = [migrations.RunPython(item_add, migrations.RunPython.noop)]
