from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0002_sending'),
    ]

    operations = [
        migrations.AddField(
            model_name='sendingcursor',
            name='hole_seen_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='hole first seen at'),
        ),
    ]
