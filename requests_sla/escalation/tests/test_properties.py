"""Property test of the escalation ladder: random pause / resume / resolve /
reopen and sweeps at random times (time_machine), one request per example,
each example rolled back.

Invariants, against an independent recomputation of every timer from its
event log just before each sweep:
* each (timer, level) step exists at most once;
* a sweep never adds a step to a timer that is paused or stopped, or whose
  request is not open, at the sweep's time;
* level 2 exists iff the timer was breached while running at some sweep
  (level 1 likewise with at risk or breached);
* after a sweep, the cache of every timer it looked at equals what
  ``timer_recompute`` gives (the sweep's shortcut for current caches agrees
  with the engine).
"""

import copy
import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.escalation.services import sla_sweep
from requests_sla.requests import services as request_services
from requests_sla.requests.models import OPEN_STATUSES, Request
from requests_sla.requests.permissions import PermissionDenied
from requests_sla.sla.models import EscalationStep, SlaTimer
from requests_sla.sla.services import timer_is_running, timer_recompute
from requests_sla.tests.factories import MONDAY_9AM, file_tech_support

COMPARED = [
    "state",
    "due_at",
    "at_risk_at",
    "breached_at",
    "stopped_at",
    "paused",
    "met",
    "elapsed_minutes",
    "budget_minutes",
    "remaining_minutes",
    "provisional",
]

step = st.tuples(
    st.sampled_from(["sweep", "sweep", "sweep", "pause", "resume", "resolve", "reopen", "start"]),
    st.integers(min_value=1, max_value=36 * 60),  # minutes to wait first
)


def _act(action, request, *, rep, dev_rnd):
    try:
        if action == "pause":
            request_services.request_pause(request=request, actor=dev_rnd, reason="等客户")
        elif action == "resume":
            request_services.request_resume(request=request, actor=rep)
        elif action == "resolve":
            request_services.request_resolve(request=request, actor=dev_rnd, resolution="done")
        elif action == "reopen":
            request_services.request_reopen(request=request, actor=rep, reason="仍有问题")
        elif action == "start":
            request_services.request_start(request=request, actor=dev_rnd)
    except (ServiceError, PermissionDenied):
        pass  # not allowed in the current status: nothing happens


def _truth(org, request_id):
    """Each current timer recomputed from its log now, on a copy."""
    with organization_scope(org.id):
        status = Request.objects.get(pk=request_id).status
        truth = {}
        for timer in SlaTimer.objects.filter(request_id=request_id, superseded_at__isnull=True):
            fresh = timer_recompute(copy.copy(timer), save=False)
            truth[timer.pk] = (fresh, status in OPEN_STATUSES and timer_is_running(fresh))
        return truth


def _steps(org, request_id):
    with organization_scope(org.id):
        return list(
            EscalationStep.objects.filter(request_id=request_id).values_list("timer_id", "level")
        )


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=st.lists(step, min_size=1, max_size=10))
# Found by hypothesis: a reopen puts the resolution timer straight into "at
# risk" by recompute, and the next sweep must still take the warning rung.
@example(
    script=[
        ("sweep", 1),
        ("sweep", 1),
        ("sweep", 1738),
        ("sweep", 2160),
        ("resolve", 2160),
        ("reopen", 1),
    ]
)
def test_ladder_rungs_are_taken_once_only_while_running_and_level_two_iff_breached(
    org, rep, dev_rnd, head_rnd, ops, script
):
    with time_machine.travel(MONDAY_9AM, tick=False) as clock, transaction.atomic():
        request = file_tech_support(rep)
        owed: dict[int, set[int]] = {}  # levels some sweep saw a timer owe
        for action, minutes in [*script, ("sweep", 1)]:
            clock.shift(dt.timedelta(minutes=minutes))
            with organization_scope(org.id):
                request.refresh_from_db()
            if action != "sweep":
                _act(action, request, rep=rep, dev_rnd=dev_rnd)
                continue
            truth = _truth(org, request.pk)
            before = set(_steps(org, request.pk))
            sla_sweep()
            added = set(_steps(org, request.pk)) - before
            for timer_id, _level in added:
                assert truth[timer_id][1], "a step for a paused/stopped timer or closed request"
            for timer_id, (fresh, running) in truth.items():
                if running and fresh.state == "breached":
                    owed.setdefault(timer_id, set()).update({1, 2})
                elif running and fresh.state == "at_risk":
                    owed.setdefault(timer_id, set()).add(1)
            with organization_scope(org.id):
                for timer in SlaTimer.objects.filter(request_id=request.pk):
                    if timer.pk not in truth or timer.computed_at != truth[timer.pk][0].computed_at:
                        continue  # not looked at by this sweep
                    expected = truth[timer.pk][0]
                    assert [getattr(timer, f) for f in COMPARED] == [
                        getattr(expected, f) for f in COMPARED
                    ], timer.key
        steps = _steps(org, request.pk)
        assert max(Counter(steps).values(), default=1) == 1
        for timer_id in {t for t, _l in steps} | set(owed):
            levels = {level for t, level in steps if t == timer_id}
            assert (2 in levels) == (2 in owed.get(timer_id, set()))
            assert (1 in levels) == (1 in owed.get(timer_id, set()))
        transaction.set_rollback(True)
