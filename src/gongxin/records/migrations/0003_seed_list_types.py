"""The lists that exist by law or central policy, with their legal basis and exit conditions."""

from django.db import migrations

from gongxin.records.seed import list_types_seed


def forward(apps, schema_editor):  # noqa: ARG001
    list_types_seed(ListType=apps.get_model("records", "ListType"))


class Migration(migrations.Migration):
    dependencies = [("records", "0002_versions_immutable")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
