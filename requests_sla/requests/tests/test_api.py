"""The API: tenancy trio on every endpoint, field-level 400s with nothing written."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from collab.tenancy import organization_scope
from requests_sla.notifications.models import NotificationDelivery
from requests_sla.requests.models import Attachment, Comment, Request
from requests_sla.sla.models import BusinessCalendar, CalendarException, SlaTimer
from requests_sla.tests.factories import department, file_tech_support, person, request_type


def create_payload(org, **overrides):
    payload = {
        "request_type": request_type(org, "rnd_tech_support").pk,
        "priority": "high",
        "title": "投标前确认接口参数",
        "extra": {"customer_name": "华东电力", "product_version": "v3.2"},
    }
    payload.update(overrides)
    return payload


def counts():
    return (
        Request.unscoped.count(),
        SlaTimer.unscoped.count(),
        Comment.unscoped.count(),
        Attachment.unscoped.count(),
    )


@pytest.mark.django_db
def test_a_rep_files_a_request_and_sees_its_timers(frozen, org, rep, api):
    response = api(rep).post("/api/requests/", create_payload(org), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "REQ-000001" and body["serving_department"]["code"] == "rnd"
    assert {t["kind"] for t in body["timers"]} == {"response", "resolution"}
    response_timer = next(t for t in body["timers"] if t["kind"] == "response")
    assert (
        response_timer["due_at"] == "2025-03-03T17:00:00+08:00"
    )  # 8 calendar hours, high priority
    assert response_timer["state"] == "on_track" and response_timer["provisional"] is False
    assert response_timer["remaining_minutes"] == 480 and response_timer["met"] is None
    assert "cancel" in body["actions"]


@pytest.mark.django_db
def test_the_filing_response_is_the_request_as_read_back(frozen, org, rep, api):
    # The 201 is built from what the service holds, not read back: it must
    # still say exactly what a later read says (watchers included).
    watcher = person(org, username="watcher")
    client = api(rep)
    response = client.post(
        "/api/requests/", create_payload(org, watchers=[watcher.user_id]), format="json"
    )
    assert response.status_code == 201, response.content
    assert [w["username"] for w in response.json()["watchers"]] == ["watcher"]
    assert response.json() == client.get(f"/api/requests/{response.json()['id']}/").json()


@pytest.mark.django_db
def test_filing_reads_and_writes_a_fixed_number_of_statements(
    frozen, org, rep, api, django_assert_num_queries
):
    client = api(rep)
    payload = create_payload(org)
    client.post("/api/requests/", payload, format="json")  # warm caches
    # token, membership, type; then in one transaction (2 statements) the
    # calendar, the serving heads to tell (none here: no notice) and whether
    # the type has an approval chain (the filed hook), both read before the
    # counter; the counter, the request and its history row, the timers and
    # their start events.
    with django_assert_num_queries(13):
        response = client.post("/api/requests/", payload, format="json")
    assert response.status_code == 201


def held_after_the_counter(captured) -> list[str]:
    """The statements a filing ran after taking the organization's counter
    row, which stays locked until commit: every filing of the organization
    queues on it, so the reads (heads, their emails' release time, the
    approval chain) come first."""
    statements = [re.sub(r"^SELECT set_config\(.*?\); ", "", q["sql"]) for q in captured]
    counter = next(i for i, s in enumerate(statements) if "requestcounter" in s)
    held = [s.split(" ", 1)[0] for s in statements[counter + 1 :]]
    # the last is the commit (a savepoint's release inside the test's transaction)
    assert held[-1] in ("COMMIT", "RELEASE"), held
    return held[:-1]


@pytest.mark.django_db
def test_filing_only_writes_while_it_holds_the_counter(frozen, org, rep, api):
    client = api(rep)
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/requests/", create_payload(org), format="json")
    assert response.status_code == 201
    # the request, its history row, the timers, their start events
    assert held_after_the_counter(captured) == ["INSERT"] * 4


@pytest.mark.django_db
def test_filing_tells_the_heads_in_a_fixed_number_of_statements(
    frozen, org, rep, head_rnd, api, django_assert_num_queries
):
    client = api(rep)
    payload = create_payload(org)
    client.post("/api/requests/", payload, format="json")  # warm caches
    # The 13 above, and the notice: the escalation policy and the
    # organization's calendar (quiet hours: when its email may go out), read
    # before the counter; its row (worded in the organization's language,
    # which came with the filer's membership) and its email delivery row.
    with django_assert_num_queries(17) as captured:
        response = client.post("/api/requests/", payload, format="json")
    assert response.status_code == 201
    assert held_after_the_counter(captured.captured_queries) == ["INSERT"] * 6
    with organization_scope(org.id):
        delivery = NotificationDelivery.objects.select_related("notification").get(
            notification__recipient=head_rnd.user, notification__request_id=response.json()["id"]
        )
    assert delivery.notification.kind == "new_request"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"request_type": 999999}, "request_type"),
        ({"priority": "whenever"}, "priority"),
        ({"title": ""}, "title"),
        ({"extra": {"product_version": "v1"}}, "extra"),  # customer_name is required
        ({"extra": "not json"}, "extra"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_a_field_level_400_and_writes_nothing(frozen, org, rep, api, overrides, field):
    response = api(rep).post("/api/requests/", create_payload(org, **overrides), format="json")
    assert response.status_code == 400 and field in response.json()
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_missing_extra_fields_are_reported_by_schema_key(frozen, org, rep, api):
    response = api(rep).post(
        "/api/requests/",
        create_payload(
            org,
            request_type=request_type(org, "fin_expense_approval").pk,
            extra={"amount": "-5", "expense_date": "yesterday"},
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["extra"]
    assert {"amount", "expense_date", "expense_kind", "purpose"} <= set(errors)
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_another_organizations_ids_are_400s_on_their_field(
    frozen, org, other_org, rep, head_rnd, api
):
    foreign_type = request_type(other_org, "rnd_tech_support")
    foreign_dept = department(other_org, "rnd")
    client = api(rep)
    assert (
        "request_type"
        in client.post(
            "/api/requests/", create_payload(org, request_type=foreign_type.pk), format="json"
        ).json()
    )
    assert (
        "serving_department"
        in client.post(
            "/api/requests/", create_payload(org, serving_department=foreign_dept.pk), format="json"
        ).json()
    )
    assert counts() == (0, 0, 0, 0)
    req = file_tech_support(rep)
    foreign_user = person(other_org, username="foreign-dev")
    response = api(head_rnd).post(
        f"/api/requests/{req.pk}/assign/", {"assignee": foreign_user.user_id}, format="json"
    )
    assert response.status_code == 400 and "assignee" in response.json()
    response = api(head_rnd).post(
        f"/api/requests/{req.pk}/transfer/",
        {"serving_department": foreign_dept.pk, "request_type": foreign_type.pk},
        format="json",
    )
    assert response.status_code == 400 and {"serving_department", "request_type"} <= set(
        response.json()
    )
    req.refresh_from_db()
    with organization_scope(req.organization_id):  # related rows: RLS needs the scope
        assert req.assignee_id is None and req.serving_department.code == "rnd"


ENDPOINTS = [
    ("get", "/api/requests/{pk}/", None),
    ("get", "/api/requests/{pk}/timeline/", None),
    ("get", "/api/requests/{pk}/comments/", None),
    ("post", "/api/requests/{pk}/comments/", {"body": "hi"}),
    ("get", "/api/requests/{pk}/attachments/", None),
    ("post", "/api/requests/{pk}/acknowledge/", {}),
    ("post", "/api/requests/{pk}/start/", {}),
    ("post", "/api/requests/{pk}/pause/", {"reason": "x"}),
    ("post", "/api/requests/{pk}/resume/", {}),
    ("post", "/api/requests/{pk}/resolve/", {}),
    ("post", "/api/requests/{pk}/close/", {}),
    ("post", "/api/requests/{pk}/reopen/", {}),
    ("post", "/api/requests/{pk}/cancel/", {"reason": "x"}),
    ("post", "/api/requests/{pk}/reject/", {"reason": "x"}),
    ("post", "/api/requests/{pk}/assign/", {"assignee": None}),
    ("post", "/api/requests/{pk}/transfer/", {"serving_department": 1, "request_type": 1}),
    ("post", "/api/requests/{pk}/watchers/", {}),
]


@pytest.mark.parametrize("method, url, data", ENDPOINTS)
@pytest.mark.django_db
def test_an_outsider_gets_404_on_every_request_endpoint(
    frozen, rep, outsider, api, method, url, data
):
    req = file_tech_support(rep)
    before = counts()
    response = getattr(api(outsider), method)(url.format(pk=req.pk), data, format="json")
    assert response.status_code == 404
    assert counts() == before
    req.refresh_from_db()
    assert req.status == "new"


@pytest.mark.django_db
def test_a_teammate_who_is_not_involved_gets_404_and_the_owner_sees_it(
    frozen, org, rep, rep2, admin, api
):
    req = file_tech_support(rep)
    assert api(rep2).get(f"/api/requests/{req.pk}/").status_code == 404
    assert (
        api(rep2)
        .post(f"/api/requests/{req.pk}/comments/", {"body": "hi"}, format="json")
        .status_code
        == 404
    )
    assert api(admin).get(f"/api/requests/{req.pk}/").status_code == 200
    assert api(rep).get(f"/api/requests/{req.pk}/").status_code == 200
    assert api(rep).get("/api/requests/abc/").status_code == 404


@pytest.mark.django_db
def test_lists_never_show_another_organizations_rows(
    frozen, org, other_org, rep, outsider, admin, api
):
    ours = file_tech_support(rep)
    theirs = file_tech_support(person(other_org, username="other-rep"))
    mine = api(admin).get("/api/requests/").json()
    foreign = api(outsider).get("/api/requests/").json()
    assert [r["id"] for r in mine["results"]] == [ours.pk]
    assert [r["id"] for r in foreign["results"]] == [theirs.pk]
    for path in ("/api/request-types/", "/api/calendars/", "/api/notifications/"):
        our_ids = {r["id"] for r in api(admin).get(path).json()["results"]}
        their_ids = {r["id"] for r in api(outsider).get(path).json()["results"]}
        assert (
            our_ids and their_ids and our_ids.isdisjoint(their_ids)
            if path != "/api/notifications/"
            else True
        )
    foreign_type = request_type(other_org, "rnd_tech_support")
    assert api(admin).get(f"/api/request-types/{foreign_type.pk}/").status_code == 404
    foreign_calendar = BusinessCalendar.unscoped.get(organization=other_org)
    assert api(admin).get(f"/api/calendars/{foreign_calendar.pk}/").status_code == 404
    assert (
        api(admin)
        .post(
            f"/api/calendars/{foreign_calendar.pk}/exceptions/",
            {"date": "2025-03-05", "kind": "holiday"},
        )
        .status_code
        == 404
    )
    assert CalendarException.unscoped.count() == 0


@pytest.mark.django_db
def test_the_lifecycle_through_the_api(frozen, rep, dev_rnd, api):
    req = file_tech_support(rep)
    worker = api(dev_rnd)
    assert worker.post(f"/api/requests/{req.pk}/start/").json()["status"] == "in_progress"
    paused = worker.post(
        f"/api/requests/{req.pk}/pause/", {"reason": "请补充日志"}, format="json"
    ).json()
    assert paused["status"] == "waiting_on_requester"
    assert next(t for t in paused["timers"] if t["kind"] == "resolution")["state"] == "paused"
    assert worker.post(f"/api/requests/{req.pk}/pause/", {}, format="json").status_code == 400
    assert api(rep).post(f"/api/requests/{req.pk}/resume/").json()["status"] == "in_progress"
    assert (
        worker.post(f"/api/requests/{req.pk}/resolve/", {"resolution": "ok"}, format="json").json()[
            "status"
        ]
        == "resolved"
    )
    assert api(rep).post(f"/api/requests/{req.pk}/close/").json()["status"] == "closed"
    assert worker.post(f"/api/requests/{req.pk}/start/").status_code == 400  # wrong state
    assert (
        api(rep).post(f"/api/requests/{req.pk}/reject/", {"reason": "x"}, format="json").status_code
        == 403
    )


@pytest.mark.django_db
def test_comments_hide_internal_notes_from_the_requester(frozen, rep, dev_rnd, api):
    req = file_tech_support(rep)
    api(dev_rnd).post(
        f"/api/requests/{req.pk}/comments/",
        {"body": "内部备注", "is_internal": True},
        format="json",
    )
    api(dev_rnd).post(f"/api/requests/{req.pk}/comments/", {"body": "已收到"}, format="json")
    assert [c["body"] for c in api(rep).get(f"/api/requests/{req.pk}/comments/").json()] == [
        "已收到"
    ]
    assert len(api(dev_rnd).get(f"/api/requests/{req.pk}/comments/").json()) == 2
    assert (
        api(rep)
        .post(
            f"/api/requests/{req.pk}/comments/", {"body": "x", "is_internal": True}, format="json"
        )
        .status_code
        == 403
    )


@pytest.mark.django_db
@override_settings(COLLAB_ATTACHMENT_MAX_BYTES=100)
def test_attachment_upload_is_multipart_and_oversize_is_a_400(frozen, rep, api):
    req = file_tech_support(rep)
    client = api(rep)
    big = SimpleUploadedFile("big.pdf", b"x" * 500, content_type="application/pdf")
    response = client.post(
        f"/api/requests/{req.pk}/attachments/", {"file": big}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()
    assert Attachment.unscoped.count() == 0
    small = SimpleUploadedFile("spec.pdf", b"%PDF-1", content_type="application/pdf")
    response = client.post(
        f"/api/requests/{req.pk}/attachments/", {"file": small}, format="multipart"
    )
    assert response.status_code == 201 and response.json()["original_name"] == "spec.pdf"
    assert [a["size"] for a in client.get(f"/api/requests/{req.pk}/attachments/").json()] == [6]


@pytest.mark.django_db
def test_a_required_file_field_is_uploaded_with_the_request(frozen, org, rep, api):
    client = api(rep)
    payload = {
        "request_type": request_type(org, "fin_expense_approval").pk,
        "title": "差旅报销",
        "extra": '{"amount": "120.50", "expense_kind": "travel", "expense_date": "2025-03-01", "purpose": "拜访"}',
        "receipts": SimpleUploadedFile("发票.pdf", b"%PDF-1", content_type="application/pdf"),
    }
    response = client.post("/api/requests/", payload, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["extra"]["amount"] == "120.50"
    assert body["extra"]["receipts"] == body["attachments"][0]["id"]


@pytest.mark.django_db
def test_promise_shows_due_times_before_filing(frozen, org, rep, api):
    tech = request_type(org, "rnd_tech_support")
    response = api(rep).get(
        "/api/requests/promise/", {"request_type": tech.pk, "priority": "normal"}
    )
    assert response.status_code == 200
    promised = {p["key"]: p["due_at"] for p in response.json()}
    assert promised == {
        "response": "2025-03-04T09:00:00+08:00",
        "resolution": "2025-03-10T18:00:00+08:00",
    }
    assert api(rep).get("/api/requests/promise/", {"request_type": "x"}).status_code == 400


@pytest.mark.django_db
def test_request_types_are_read_by_all_and_written_by_catalog_managers(
    frozen, org, rep, admin, api
):
    listed = api(rep).get("/api/request-types/").json()
    assert listed["count"] == 16 and {"name_zh", "form_schema", "sla_targets"} <= set(
        listed["results"][0]
    )
    payload = {
        "serving_department": department(org, "rnd").pk,
        "code": "rnd_prototype",
        "name_zh": "原型验证",
        "name_en": "Prototype validation",
        "priorities": ["normal"],
        "default_priority": "normal",
        "sla_targets": {
            "normal": {
                "response": {"unit": "working_days", "amount": 2},
                "resolution": {"unit": "working_days", "amount": 10},
            }
        },
        "form_schema": [
            {"key": "scope", "label_zh": "范围", "label_en": "Scope", "type": "long_text"}
        ],
    }
    assert api(rep).post("/api/request-types/", payload, format="json").status_code == 403
    assert api(admin).post("/api/request-types/", payload, format="json").status_code == 201
    bad = {
        **payload,
        "code": "rnd_prototype2",
        "sla_targets": {"normal": {"response": {"unit": "weeks", "amount": 1}}},
    }
    response = api(admin).post("/api/request-types/", bad, format="json")
    assert response.status_code == 400 and "sla_targets" in response.json()
    duplicate = api(admin).post("/api/request-types/", payload, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()


@pytest.mark.django_db
def test_queue_endpoint_lists_the_heads_department_due_first(frozen, rep, head_rnd, head_mkt, api):
    late = file_tech_support(rep, priority="low")
    soon = file_tech_support(rep, priority="urgent")
    rows = api(head_rnd).get("/api/requests/queue/").json()["results"]
    assert [r["id"] for r in rows] == [soon.pk, late.pk]
    assert api(head_mkt).get("/api/requests/queue/").json()["count"] == 0
    assert api(head_rnd).get("/api/requests/queue/", {"request_type": "x"}).status_code == 400
