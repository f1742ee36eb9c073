"""Fixtures of the enablement suites: people (enablement/tests/people.py and
requests_sla's), an asset maker, deals through pipeline's services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from collab.tenancy import organization_scope
from departments.tests.factories import token_for
from enablement.library import services
from enablement.tests.people import dev_rnd, hr, mkt, pm  # noqa: F401 (fixtures)
from pipeline.accounts import services as accounts_services
from pipeline.models import Stage
from pipeline.opportunities import services as opportunities_services
from requests_sla.tests.people import admin, head_mkt, outsider_membership, rep, rep2  # noqa: F401


@pytest.fixture
def make_asset():
    def make(actor, title_zh="数据安全话术工具包", *, publish=True, body="", sections=None, **kw):
        kw.setdefault("kind", "talk_track")
        fields = services.AssetFields(title_zh=title_zh, **kw)
        content = services.VersionContent(body=body, sections=sections)
        with organization_scope(actor.organization_id):
            return services.asset_create(
                actor=actor, fields=fields, content=content, publish=publish
            )

    return make


@pytest.fixture
def deal(org, rep):  # noqa: F811 (the fixture above)
    """A deal of ``rep`` (in Negotiation), at a finance customer."""
    with organization_scope(org.id):
        account = accounts_services.account_create(
            actor=rep.user, name="华信银行", owner=rep.user, industry="finance", size="large"
        )
        return opportunities_services.opportunity_create(
            actor=rep.user,
            account=account,
            name="核心系统数据安全升级",
            owner=rep.user,
            amount=Decimal("500000"),
            expected_close_date=timezone.localdate() + dt.timedelta(days=30),
            stage=Stage.objects.get(code="negotiation"),
        )


@pytest.fixture
def api():
    def client_of(who):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(getattr(who, 'user', who))}")
        return client

    return client_of
