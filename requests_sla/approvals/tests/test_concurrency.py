"""A double click is two requests at once: the row locks let exactly one
decide the step; the other finds it decided (409) and changes nothing."""

import threading

import pytest
from django.db import connection

from requests_sla.approvals import services
from requests_sla.approvals.models import ApprovalStep, StepState
from requests_sla.approvals.tests.helpers import file_expense, steps_of


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_decide_once(rep, chain, head_fin, admin):
    request = file_expense(rep, "60000.00")
    step = steps_of(request)[0]
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        try:
            barrier.wait()
            services.step_act(step_id=step.pk, actor=head_fin, action="approve")
            outcomes.append("ok")
        except services.StepConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    rows = steps_of(request)
    assert [s.state for s in rows] == [StepState.APPROVED, StepState.PENDING]
    assert ApprovalStep.unscoped.filter(request_id=request.pk, round=1, position=1).count() == 1
