"""Existing lead notifications get the facts their text is rendered from in
the reader's language (requests_sla 0011 added ``Notification.params``)."""

import re

from django.db import migrations

LINK = re.compile(r"#lead-(\d+)$")


def forwards(apps, schema_editor):
    Notification = apps.get_model("requests_sla", "Notification")
    Lead = apps.get_model("pipeline", "Lead")
    rows = list(Notification._base_manager.filter(kind="lead", params={}).only("pk", "link"))
    ids = {int(m.group(1)) for n in rows if (m := LINK.search(n.link))}
    leads = Lead._base_manager.select_related("account").in_bulk(ids)
    for n in rows:
        m = LINK.search(n.link)
        lead = leads.get(int(m.group(1))) if m else None
        if lead is None:
            continue  # the text stored at creation stays the fallback
        n.params = {
            "account": lead.account.name,
            "kind": lead.kind,
            "amount": f"{lead.estimated_amount:,.2f}",
        }
    Notification._base_manager.bulk_update([n for n in rows if n.params], ["params"], 500)


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0004_request_links"),
        ("requests_sla", "0013_notification_params"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
