"""The campaign pages and lists read a constant number of
queries, however many campaigns and responses there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enablement.campaigns.tests.test_campaigns import plan, respond

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("enablement:campaigns", 5), ("enablement:campaigns_report", 5)],
)
def test_campaign_lists_are_constant(client, org, mkt, deal, name, expected):
    client.force_login(mkt.user)
    first = plan(mkt)
    respond(mkt, first, company=deal.account.name)
    url = reverse(name)
    assert _count(client, url) == expected
    for i in range(3):
        respond(mkt, plan(mkt, title_zh=f"活动 {i}"), name=f"n{i}")
    assert _count(client, url) == expected


def test_campaign_api_list_is_constant(api, org, mkt, django_assert_num_queries):
    for i in range(3):
        plan(mkt, title_zh=f"活动 {i}")
    with django_assert_num_queries(8):
        assert api(mkt).get("/api/campaigns/").status_code == 200
