"""Follow-up services."""

from __future__ import annotations

import pytest

from collab import tenancy
from collab.errors import ServiceError
from pipeline.followups import services as followups_services
from pipeline.tests.factories import at


@pytest.mark.django_db
def test_csat_must_be_between_1_and_5(org, cs, teammate, make_account):
    account = make_account(teammate)
    with tenancy.organization_scope(org.id):
        with pytest.raises(ServiceError) as err:
            followups_services.followup_create(
                actor=cs, account=account, kind="call", scheduled_for=at(4, 1), csat=6
            )
        assert err.value.field == "csat"
        done = followups_services.followup_create(
            actor=cs, account=account, kind="call", scheduled_for=at(4, 1), csat=5
        )
        assert done.done_at is not None
