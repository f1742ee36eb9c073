"""Existing request types learn what the catalog now says: 客户名称 is answered
by the request's customer/deal link (``from_link``), and the key-account
complaint's 投诉内容 is the request's description (``as_description``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    RequestType = apps.get_model("requests_sla", "RequestType")
    for rtype in RequestType._base_manager.all():
        schema = rtype.form_schema or []
        changed = False
        for field in schema:
            if field.get("key") == "customer_name" and not field.get("from_link"):
                field["from_link"] = "customer"
                changed = True
            if (
                rtype.code == "cs_key_account_complaint"
                and field.get("key") == "complaint"
                and not field.get("as_description")
            ):
                field["as_description"] = True
                changed = True
        if changed:
            rtype.form_schema = schema
            rtype.save(update_fields=["form_schema"])


class Migration(migrations.Migration):
    dependencies = [("requests_sla", "0013_notification_params")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
