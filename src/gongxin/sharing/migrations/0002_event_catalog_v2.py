"""Event catalog v2: topics named ``<app>.<entity>.<event>`` (core.events.RENAMED_IN_V2).

Renames the topics of stored outbox events (consumers that have not read them yet, replays) and of the
deliveries (the change feed and webhooks not yet sent), so a client sees one naming from now on.
"""

from functools import partial

from django.db import migrations

from gongxin.core.events import topics_rename, topics_rename_back


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_throttle_window"),
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(partial(topics_rename, model="core.OutboxEvent", field="topic"),
                             partial(topics_rename_back, model="core.OutboxEvent", field="topic")),
        migrations.RunPython(partial(topics_rename, model="sharing.Delivery", field="topic"),
                             partial(topics_rename_back, model="sharing.Delivery", field="topic")),
    ]
