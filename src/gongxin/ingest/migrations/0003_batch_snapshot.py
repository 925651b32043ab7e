from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ingest', '0002_batch_owner'),
    ]

    operations = [
        migrations.AddField(
            model_name='batch',
            name='snapshot',
            field=models.BooleanField(default=False, verbose_name='full snapshot'),
        ),
        migrations.AddField(
            model_name='batch',
            name='missing',
            field=models.PositiveIntegerField(default=0, verbose_name='missing from the snapshot'),
        ),
        migrations.AddField(
            model_name='batch',
            name='snapshot_plan',
            field=models.JSONField(blank=True, null=True, verbose_name='snapshot plan'),
        ),
        migrations.AlterField(
            model_name='batch',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('awaiting', 'Awaiting confirmation'), ('held', 'Held for review')], default='queued', max_length=10, verbose_name='status'),
        ),
    ]
