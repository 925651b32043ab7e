# Firm agents (decision 061): invitations, mandates and their audit rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('subjects', '0005_rin_masked_last_four'),
    ]

    operations = [
        migrations.CreateModel(
            name='AgentInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_hash', models.CharField(max_length=64, unique=True, verbose_name='code hash')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('expires_at', models.DateTimeField(verbose_name='expires at')),
                ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used at')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agent_invitations', to='subjects.subject', verbose_name='person')),
            ],
            options={
                'verbose_name': 'agent invitation',
                'verbose_name_plural': 'agent invitations',
            },
        ),
        migrations.CreateModel(
            name='AgentMandate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('capabilities', models.JSONField(default=list, verbose_name='capabilities')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_until', models.DateField(verbose_name='valid until')),
                ('granted_at', models.DateTimeField(verbose_name='granted at')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='mandates_as_agent', to='subjects.subject', verbose_name='agent')),
                ('granted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='mandates_granted', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agent_mandates', to='subjects.subject', verbose_name='organization')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mandates_revoked', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
            ],
            options={
                'verbose_name': 'agent authorization',
                'verbose_name_plural': 'agent authorizations',
                'indexes': [models.Index(fields=['agent', 'organization'], name='accounts_mandate_agent_org')],
            },
        ),
        migrations.CreateModel(
            name='AgentMandateEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('accounts.agent.authorized', 'Agent authorized'), ('accounts.agent.revoked', "Agent's authorization revoked")], max_length=40, verbose_name='action')),
                ('actor_label', models.CharField(max_length=200, verbose_name='actor')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('details', models.JSONField(default=dict, verbose_name='details')),
                ('mandate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='accounts.agentmandate')),
            ],
            options={
                'verbose_name': 'agent authorization event',
                'verbose_name_plural': 'agent authorization events',
                'ordering': ['at', 'id'],
            },
        ),
    ]
