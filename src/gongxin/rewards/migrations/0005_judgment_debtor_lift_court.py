"""Stored facts: the bases of a judgment debtor's list entry are lifted by the court, not by repair (decision
048; ``rewards.facts`` writes ``court`` from now on). Rewrites only the rows of subjects on that list."""

from django.db import migrations

LIST = "judgment_debtor"


def _swap(bases, old, new):
    changed = False
    for basis in bases or []:
        if basis.get("type") != "list_entry" or basis.get("list") != LIST:
            continue
        for lift in [basis.get("lift"), *(basis.get("lift_options") or [])]:
            if isinstance(lift, dict) and lift.get("how") == old:
                lift["how"] = new
                changed = True
    return changed


def _rewrite(apps, old, new):
    SubjectFacts = apps.get_model("rewards", "SubjectFacts")
    for row in SubjectFacts.objects.filter(facts__has_key=LIST).only("pk", "bases").iterator(chunk_size=1000):
        if _swap(row.bases, old, new):
            row.save(update_fields=["bases"])


class Migration(migrations.Migration):

    dependencies = [
        ("rewards", "0004_check_log_no_constraints"),
    ]

    operations = [
        migrations.RunPython(lambda apps, editor: _rewrite(apps, "repair", "court"),
                             lambda apps, editor: _rewrite(apps, "court", "repair")),
    ]
