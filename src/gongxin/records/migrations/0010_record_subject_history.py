"""A record's subject history (decision 063, leaf v2): the subjects a correction moved it from, so that its
earlier versions' leaves — which commit to the subject they were logged under — can be recomputed by the audit.
Null for every record never moved: on PostgreSQL a nullable column without a default is added without rewriting
the table."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0009_repeating_values_in_layouts'),
    ]

    operations = [
        migrations.AddField(
            model_name='record',
            name='subject_history',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='subject history'),
        ),
    ]
