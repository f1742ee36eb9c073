from django.db import migrations

from requests_sla.reporting.triggers import (
    STOPPED_MONTH_TRIGGERS_DROP_SQL,
    STOPPED_MONTH_TRIGGERS_SQL,
)

# The histogram of stopped timers per month (SlaStoppedMonth) is kept by
# PostgreSQL like the daily rollups of 0006; the SQL lives in
# requests_sla/reporting/triggers.py.


def triggers(apps, schema_editor):
    schema_editor.execute(STOPPED_MONTH_TRIGGERS_SQL)


def triggers_drop(apps, schema_editor):
    schema_editor.execute(STOPPED_MONTH_TRIGGERS_DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("requests_sla", "0007_dashboard_stopped_month")]

    operations = [migrations.RunPython(triggers, triggers_drop)]
