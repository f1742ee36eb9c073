"""Two publishes of one bundle at the same moment make one course: two real
connections (threads) ask for the bundle's course at once; the bundle's row
lock queues the second, which finds the first's course and enrols no one
twice. ``course_create`` is slowed down so that, without the lock, both
would have found no course and the second insert would have failed."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from collab.tenancy import organization_scope
from enablement.models import Course, Enrolment
from enablement.training import services
from pricing.tests.helpers import make_bundle, make_catalog
from pricing.tests.people import head_pm  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishes_make_one_course(org, head_pm, rep, rep2, monkeypatch):  # noqa: F811
    products = make_catalog(head_pm, effective_from=dt.date(2026, 1, 1))["products"]
    bundle = make_bundle(
        head_pm, products, starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31)
    )
    create = services.course_create

    def slow_create(**kw):
        time.sleep(0.5)
        return create(**kw)

    monkeypatch.setattr(services, "course_create", slow_create)
    barrier = threading.Barrier(2)
    made, errors = [], []

    def publish():
        try:
            barrier.wait()
            with organization_scope(org.id):
                made.append(services.course_for_release(actor=head_pm, bundle=bundle).pk)
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(made) == 2 and made[0] == made[1]
    with organization_scope(org.id):
        assert Course.objects.filter(bundle=bundle).count() == 1
        enrolled = list(Enrolment.objects.values_list("user_id", flat=True))
    assert sorted(enrolled) == sorted(set(enrolled))
    assert {rep.user_id, rep2.user_id} <= set(enrolled)
