"""Real foreign keys for the links between requests and the customer side.

* ``RequestLink``: the customer (and deal) a request is for, copied from the
  bare ``Request.account_id`` / ``opportunity_id`` ids, which requests_sla's
  migration 0012 then drops (``run_before`` below). A deal brings its
  account. Ids whose row no longer exists in the request's organization are
  dropped, and counted in the output.
* ``FollowUp.request``: a foreign key instead of the bare ``request_id``;
  ids of missing requests become empty, counted.
* ``Lead.opportunity``: unique per organization instead of on its own.
"""

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


def _say(message):
    # A whole line: `migrate -v0` (bench/filing.py's prepare reads its last
    # stdout line as JSON) prints no " OK" after the migration to end it.
    print(f"\n  pipeline.0004_request_links: {message}")


def copy_request_links(apps, schema_editor):
    Request = apps.get_model("requests_sla", "Request")
    Account = apps.get_model("pipeline", "Account")
    Opportunity = apps.get_model("pipeline", "Opportunity")
    RequestLink = apps.get_model("pipeline", "RequestLink")
    rows = list(
        Request.objects.filter(models.Q(account_id__isnull=False) | models.Q(opportunity_id__isnull=False))
        .values_list("pk", "organization_id", "account_id", "opportunity_id")
    )
    accounts = set(Account.objects.filter(pk__in={r[2] for r in rows if r[2]}).values_list("pk", "organization_id"))
    deals = {
        (pk, org): account
        for pk, org, account in Opportunity.objects.filter(pk__in={r[3] for r in rows if r[3]}).values_list(
            "pk", "organization_id", "account_id"
        )
    }
    links, lost_deals, lost_requests = [], 0, 0
    for pk, org, account_id, deal_id in rows:
        deal_account = deals.get((deal_id, org)) if deal_id else None
        if deal_id and deal_account is None:
            lost_deals += 1
            deal_id = None
        account = deal_account or (account_id if (account_id, org) in accounts else None)
        if account is None:
            lost_requests += 1
            continue
        links.append(RequestLink(organization_id=org, request_id=pk, account_id=account, opportunity_id=deal_id))
    RequestLink.objects.bulk_create(links, batch_size=2000)
    _say(
        f"{len(links)} request links copied; {lost_requests} dropped (customer and deal gone), "
        f"{lost_deals} deal ids dropped (deal gone, customer kept)"
    )


def copy_request_links_back(apps, schema_editor):
    Request = apps.get_model("requests_sla", "Request")
    RequestLink = apps.get_model("pipeline", "RequestLink")
    for link in RequestLink.objects.all().iterator():
        Request.objects.filter(pk=link.request_id).update(account_id=link.account_id, opportunity_id=link.opportunity_id)


def copy_follow_up_requests(apps, schema_editor):
    FollowUp = apps.get_model("pipeline", "FollowUp")
    Request = apps.get_model("requests_sla", "Request")
    rows = list(FollowUp.objects.filter(request_ref__isnull=False).values_list("pk", "organization_id", "request_ref"))
    known = set(Request.objects.filter(pk__in={r[2] for r in rows}).values_list("pk", "organization_id"))
    dropped = 0
    for pk, org, ref in rows:
        if (ref, org) in known:
            FollowUp.objects.filter(pk=pk).update(request_id=ref)
        else:
            dropped += 1
    _say(f"{len(rows) - dropped} follow-up request ids copied; {dropped} dropped (request gone)")


def copy_follow_up_requests_back(apps, schema_editor):
    FollowUp = apps.get_model("pipeline", "FollowUp")
    FollowUp.objects.filter(request__isnull=False).update(request_ref=models.F("request_id"))


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0002_identity'),
        ('pipeline', '0003_funnel_open_rollup'),
        ('requests_sla', '0011_tenant_through_tables'),
    ]
    run_before = [
        ('requests_sla', '0012_request_links_moved'),
    ]

    operations = [
        migrations.CreateModel(
            name='RequestLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='departments.organization')),
                ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='requests_sla.request', verbose_name='请求')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pipeline.account', verbose_name='客户')),
                ('opportunity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='pipeline.opportunity', verbose_name='商机')),
            ],
            options={
                'verbose_name': '请求关联',
                'verbose_name_plural': '请求关联',
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddConstraint(
            model_name='requestlink',
            constraint=models.UniqueConstraint(fields=('organization', 'request'), name='request_link_request_uniq'),
        ),
        migrations.AddIndex(
            model_name='requestlink',
            index=models.Index(fields=['organization', 'opportunity'], include=['request'], name='request_link_opp_idx'),
        ),
        migrations.AddIndex(
            model_name='requestlink',
            index=models.Index(fields=['organization', 'account'], include=['request'], name='request_link_acct_idx'),
        ),
        migrations.RunPython(copy_request_links, copy_request_links_back),
        migrations.RenameField(model_name='followup', old_name='request_id', new_name='request_ref'),
        migrations.AddField(
            model_name='followup',
            name='request',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='requests_sla.request', verbose_name='协作请求编号'),
        ),
        migrations.RunPython(copy_follow_up_requests, copy_follow_up_requests_back),
        migrations.RemoveField(model_name='followup', name='request_ref'),
        migrations.AlterField(
            model_name='lead',
            name='opportunity',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='lead', to='pipeline.opportunity', verbose_name='转化的商机'),
        ),
        migrations.AddConstraint(
            model_name='lead',
            constraint=models.UniqueConstraint(fields=('organization', 'opportunity'), name='lead_org_opportunity_uniq'),
        ),
    ]
