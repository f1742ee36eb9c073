"""A request's customer and deal are rows of pipeline's ``RequestLink`` now
(real foreign keys). pipeline's migration 0004 copies the ids first: it
declares ``run_before`` this one, so requests_sla names no higher app."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('requests_sla', '0011_tenant_through_tables'),
    ]

    operations = [
        migrations.RemoveField(model_name='historicalrequest', name='account_id'),
        migrations.RemoveField(model_name='historicalrequest', name='opportunity_id'),
        migrations.RemoveField(model_name='request', name='account_id'),
        migrations.RemoveField(model_name='request', name='opportunity_id'),
    ]
