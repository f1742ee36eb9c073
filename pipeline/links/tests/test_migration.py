"""The migration that turns the bare ids into RequestLink rows and a real
FollowUp.request: it copies what points at a row of the request's
organization, drops the rest and says how many it dropped.

Rows are made with today's models, the migrations are unapplied (their
reverse puts the ids back into the old columns), ids are broken by hand, and
the migrations are applied again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from collab import tenancy
from pipeline.followups.models import FollowUp
from pipeline.links.tests.test_links import file
from pipeline.opportunities.models import RequestLink
from pipeline.tests.factories import at

BEFORE = [("requests_sla", "0011_tenant_through_tables"), ("pipeline", "0003_funnel_open_rollup")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ids_become_rows_and_missing_targets_are_dropped_and_counted(
    org, teammate, make_account, make_opportunity, capsys
):
    account = make_account(teammate, name="华信精密")
    deal = make_opportunity(account, name="ERP 升级", when=at(4, 1))
    with_deal = file(org, teammate, opportunity_id=deal.pk, title="有商机")
    gone_deal = file(org, teammate, opportunity_id=deal.pk, title="商机已删")
    gone_both = file(org, teammate, account_id=account.pk, title="客户已删")
    file(org, teammate, title="未关联")
    with tenancy.organization_scope(org.id):
        kept = FollowUp.objects.create(
            account=account, kind="call", scheduled_for=at(5, 1), by=teammate, request=with_deal
        )
        lost = FollowUp.objects.create(
            account=account, kind="call", scheduled_for=at(5, 2), by=teammate, request=with_deal
        )
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE requests_sla_request SET opportunity_id = 999999 WHERE id = %s",
                [gone_deal.pk],
            )
            cursor.execute(
                "UPDATE requests_sla_request SET account_id = 888888 WHERE id = %s",
                [gone_both.pk],
            )
            cursor.execute(
                "UPDATE pipeline_followup SET request_id = 777777 WHERE id = %s", [lost.pk]
            )
        capsys.readouterr()
        _migrate(_leaves())
        said = capsys.readouterr().out
    finally:
        _migrate(_leaves())
    assert "2 request links copied; 1 dropped (customer and deal gone), 1 deal ids dropped" in said
    assert "1 follow-up request ids copied; 1 dropped (request gone)" in said
    links = {
        link.request_id: (link.organization_id, link.account_id, link.opportunity_id)
        for link in RequestLink.unscoped.all()
    }
    assert links == {
        with_deal.pk: (org.id, account.pk, deal.pk),
        gone_deal.pk: (org.id, account.pk, None),  # the deal went, its customer stays
    }
    follow_ups = dict(FollowUp.unscoped.values_list("pk", "request_id"))
    assert follow_ups == {kept.pk: with_deal.pk, lost.pk: None}
