"""Watchers and mentions go through explicit tenant tables (with
``organization``, unique per organization), and a post-mortem's agenda item
is unique per organization instead of on its own: the tenancy invariants
(tests/test_tenancy_invariants.py). The rows of the implicit through tables
are copied, then those tables are dropped."""

import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models


def _copy(apps, model_name, field_name, through_name, owner_field):
    model = apps.get_model("requests_sla", model_name)
    old = getattr(model, field_name).through
    new = apps.get_model("requests_sla", through_name)
    rows = old.objects.values_list(f"{owner_field}_id", f"{owner_field}__organization_id", "user_id")
    new.objects.bulk_create(
        [new(**{f"{owner_field}_id": owner, "organization_id": org, "user_id": user}) for owner, org, user in rows.iterator()],
        batch_size=2000,
    )


def copy_rows(apps, schema_editor):
    _copy(apps, "Request", "watchers", "RequestWatcher", "request")
    _copy(apps, "Comment", "mentions", "CommentMention", "comment")


def copy_back(apps, schema_editor):
    for model_name, field_name, through_name, owner_field in (
        ("Request", "watchers", "RequestWatcher", "request"),
        ("Comment", "mentions", "CommentMention", "comment"),
    ):
        old = getattr(apps.get_model("requests_sla", model_name), field_name).through
        new = apps.get_model("requests_sla", through_name)
        old.objects.bulk_create(
            [old(**{f"{owner_field}_id": o, "user_id": u}) for o, u in new.objects.values_list(f"{owner_field}_id", "user_id")],
            batch_size=2000,
        )


def _through(name, owner, owner_model):
    return migrations.CreateModel(
        name=name,
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='departments.organization')),
            (owner, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=owner_model)),
            ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
        ],
        managers=[
            ('objects', django.db.models.manager.Manager()),
            ('unscoped', django.db.models.manager.Manager()),
        ],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0002_identity'),
        ('requests_sla', '0010_notification_link'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        _through('RequestWatcher', 'request', 'requests_sla.request'),
        _through('CommentMention', 'comment', 'requests_sla.comment'),
        migrations.AddConstraint(
            model_name='requestwatcher',
            constraint=models.UniqueConstraint(fields=('organization', 'request', 'user'), name='request_watcher_uniq'),
        ),
        migrations.AddIndex(
            model_name='requestwatcher',
            index=models.Index(fields=['organization', 'user'], name='request_watcher_user_idx'),
        ),
        migrations.AddConstraint(
            model_name='commentmention',
            constraint=models.UniqueConstraint(fields=('organization', 'comment', 'user'), name='comment_mention_uniq'),
        ),
        migrations.RunPython(copy_rows, copy_back),
        migrations.RemoveField(model_name='request', name='watchers'),
        migrations.AddField(
            model_name='request',
            name='watchers',
            field=models.ManyToManyField(blank=True, related_name='watched_requests', through='requests_sla.RequestWatcher', to=settings.AUTH_USER_MODEL, verbose_name='关注人'),
        ),
        migrations.RemoveField(model_name='comment', name='mentions'),
        migrations.AddField(
            model_name='comment',
            name='mentions',
            field=models.ManyToManyField(blank=True, related_name='+', through='requests_sla.CommentMention', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='postmortem',
            name='agenda_item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='postmortem', to='requests_sla.agendaitem'),
        ),
        migrations.AddConstraint(
            model_name='postmortem',
            constraint=models.UniqueConstraint(fields=('organization', 'agenda_item'), name='postmortem_agenda_item_uniq'),
        ),
    ]
