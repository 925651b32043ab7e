"""The outbox's subject_id index is dropped: no query reads events by subject (consumers read by id; decision 047)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_partition_outbox'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outboxevent',
            name='subject_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='subject id'),
        ),
    ]
