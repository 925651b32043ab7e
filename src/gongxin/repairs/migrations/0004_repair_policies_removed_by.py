"""The repair policies say who removes the record kinds repair does not reach (``removed_by``: the court's
judgment-debtor list, decision 048), instead of listing those kinds (``not_repairable_record_kinds``)."""

from django.db import migrations


def forward(apps, schema_editor):
    from gongxin.repairs.seed import repair_policies_seed

    repair_policies_seed(Policy=apps.get_model("catalog", "Policy"))


def backward(apps, schema_editor):
    from gongxin.repairs.seed import policy_rows

    Policy = apps.get_model("catalog", "Policy")
    for policy in Policy.objects.filter(code__in=[r["code"] for r in policy_rows()]):
        params = dict(policy.params or {})
        params["not_repairable_record_kinds"] = sorted(params.pop("removed_by", {}))
        policy.params = params
        policy.save(update_fields=["params"])


class Migration(migrations.Migration):

    dependencies = [
        ("repairs", "0003_event_catalog_v2"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
