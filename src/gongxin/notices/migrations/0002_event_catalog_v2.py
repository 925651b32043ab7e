"""Event catalog v2: notices of objection and repair steps carry the step's topic as their code (core.events)."""

from functools import partial

from django.db import migrations, models

from gongxin.core.events import topics_rename, topics_rename_back


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notice",
            name="code",
            field=models.CharField(help_text="What happened, e.g. objections.objection.accepted", max_length=60,
                                   verbose_name="code"),
        ),
        migrations.RunPython(partial(topics_rename, model="notices.Notice", field="code"),
                             partial(topics_rename_back, model="notices.Notice", field="code")),
    ]
