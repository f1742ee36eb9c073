"""The request timeline merges history, comments and SLA events."""

import datetime as dt

import pytest

from collab.tenancy import organization_scope
from requests_sla.requests import selectors, services
from requests_sla.tests.factories import file_tech_support


@pytest.mark.django_db
def test_timeline_merges_status_changes_comments_and_sla_events_in_order(frozen, rep, dev_rnd):
    req = file_tech_support(rep)
    frozen.shift(dt.timedelta(hours=1))
    services.request_start(request=req, actor=dev_rnd)
    frozen.shift(dt.timedelta(hours=1))
    services.comment_add(request=req, actor=dev_rnd, body="内部：先查日志", is_internal=True)
    services.request_pause(request=req, actor=dev_rnd, reason="请提供日志")
    frozen.shift(dt.timedelta(hours=1))
    services.comment_add(request=req, actor=rep, body="日志在附件里")
    with organization_scope(req.organization_id):
        entries = selectors.request_timeline(req, dev_rnd)
        for_requester = selectors.request_timeline(req, rep)
    summary = [
        (
            e.kind,
            e.data.get("changes", {}).get("status", (None, None))[1]
            if e.kind == "status"
            else e.data.get("event"),
        )
        for e in entries
    ]
    assert summary == [
        ("created", None),
        ("sla", "start"),
        ("sla", "start"),
        ("status", "in_progress"),
        ("sla", "stop"),
        ("comment", None),
        ("status", "waiting_on_requester"),
        ("sla", "pause"),
        ("comment", None),
        ("status", "in_progress"),
        ("sla", "resume"),
    ]
    assert entries[3].actor == dev_rnd.user and entries[6].data["reason"] == "请提供日志"
    assert [e.data["comment"].body for e in for_requester if e.kind == "comment"] == [
        "日志在附件里"
    ]
    assert all(a.at <= b.at for a, b in zip(entries, entries[1:], strict=False))
