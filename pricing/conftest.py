"""Fixtures of the pricing suites: people (pricing/tests/people.py), a
catalog with a published standard price list, a deal owned by the rep."""

import datetime as dt

import pytest
import time_machine

from pricing.tests.helpers import NOW, make_catalog, make_deal
from pricing.tests.people import head_fin, head_pm  # noqa: F401 (fixtures)
from requests_sla.tests.people import (  # noqa: F401 (fixtures)
    admin,
    outsider_membership,
    rep,
    rep2,
)


@pytest.fixture
def catalog(org, head_pm):  # noqa: F811 (the fixture imported above)
    return make_catalog(head_pm, effective_from=dt.date(2026, 1, 1))


@pytest.fixture
def deal(org, rep, catalog):  # noqa: F811
    return make_deal(rep)


@pytest.fixture
def frozen():
    """The suites' clock: Monday 16 Nov 2026, 10:00 in Shanghai, standing still."""
    with time_machine.travel(NOW, tick=False):
        yield
