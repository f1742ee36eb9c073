"""The API of issue 4: meetings, agenda outcomes, action items, KPIs and the
notification inbox, with the pages' permissions and the tenancy trio."""

import datetime as dt

import pytest

from collab.tenancy import organization_scope
from departments.roles import Role
from departments.tests.factories import member
from requests_sla.escalation.services import sla_sweep
from requests_sla.meetings import services
from requests_sla.meetings.models import ActionItem, AgendaItem, MeetingStatus, ReviewMeeting
from requests_sla.tests.factories import file_tech_support, membership_of

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def breached(frozen, org, rep, head_rnd, ops):
    req = file_tech_support(rep, title="接口参数确认")
    frozen.move_to(dt.datetime(2025, 3, 4, 9, 30, tzinfo=SH))
    sla_sweep()
    with organization_scope(org.id):
        return req, ReviewMeeting.objects.get(), AgendaItem.objects.get()


@pytest.fixture
def foreign(frozen, other_org):
    """A breached request on a meeting of the other organization."""
    other_rep = membership_of(
        member(other_org, role=Role.SALES_REP, department_code="business", username="o-rep"),
        other_org,
    )
    other_ops = membership_of(
        member(other_org, role=Role.OPS_MANAGER, department_code="ops_mgmt", username="o-ops"),
        other_org,
    )
    file_tech_support(other_rep, title="foreign", at=dt.datetime(2025, 3, 3, 9, tzinfo=SH))
    frozen.move_to(dt.datetime(2025, 3, 4, 9, 30, tzinfo=SH))
    sla_sweep()
    with organization_scope(other_org.id):
        item = AgendaItem.objects.get()
        action = services.action_item_add(
            actor=other_ops,
            item=item,
            title="外部",
            owner=other_ops.user_id,
            due_date=dt.date(2025, 3, 10),
        )
        return item.meeting, item, action, other_ops


@pytest.mark.django_db
def test_ops_lists_and_reads_the_meeting_with_its_agenda(api, breached, ops):
    req, meeting, item = breached
    listing = api(ops).get("/api/meetings/")
    assert listing.status_code == 200
    assert [m["id"] for m in listing.json()["results"]] == [meeting.pk]
    detail = api(ops).get(f"/api/meetings/{meeting.pk}/").json()
    assert [i["request"]["reference"] for i in detail["items"]] == [req.reference]
    assert detail["items"][0]["department"]["code"] == "rnd"
    assert {p["user"]["username"] for p in detail["participants"]} >= {"ops", "head-rnd"}


@pytest.mark.django_db
def test_chair_records_outcome_adds_updates_and_ticks_an_action_then_closes(
    api, breached, ops, head_rnd
):
    _req, meeting, item = breached
    client = api(ops)
    response = client.post(
        f"/api/agenda-items/{item.pk}/outcome/",
        {"root_cause": "objective", "note": "人手不足"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["root_cause"], response.json()["note"]) == ("objective", "人手不足")
    response = client.post(
        "/api/action-items/",
        {
            "agenda_item": item.pk,
            "title": "招聘",
            "owner": head_rnd.user_id,
            "due_date": "2025-03-20",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    action_id = response.json()["id"]
    response = client.patch(
        f"/api/action-items/{action_id}/", {"due_date": "2025-03-25"}, format="json"
    )
    assert response.json()["due_date"] == "2025-03-25"
    response = api(head_rnd).post(f"/api/action-items/{action_id}/done/", {}, format="json")
    assert response.status_code == 200 and response.json()["done_at"] is not None
    response = client.post(
        f"/api/meetings/{meeting.pk}/close/", {"summary": "补充人手"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == MeetingStatus.CLOSED
    again = client.post(
        f"/api/agenda-items/{item.pk}/outcome/", {"root_cause": "other"}, format="json"
    )
    assert again.status_code == 400 and "status" in again.json()


@pytest.mark.django_db
def test_bad_input_is_a_field_level_400(api, breached, ops):
    _req, _meeting, item = breached
    response = api(ops).post(
        f"/api/agenda-items/{item.pk}/outcome/", {"root_cause": "bad"}, format="json"
    )
    assert response.status_code == 400 and "root_cause" in response.json()
    response = api(ops).post(
        "/api/action-items/",
        {"agenda_item": item.pk, "title": "x", "owner": 999999, "due_date": "2025-03-20"},
        format="json",
    )
    assert response.status_code == 400 and "owner" in response.json()


@pytest.mark.django_db
def test_a_head_reads_but_cannot_change_and_a_rep_sees_no_meetings(api, breached, head_rnd, rep):
    _req, meeting, item = breached
    assert api(head_rnd).get(f"/api/meetings/{meeting.pk}/").status_code == 200
    response = api(head_rnd).post(
        f"/api/agenda-items/{item.pk}/outcome/", {"root_cause": "other"}, format="json"
    )
    assert response.status_code == 403
    assert api(rep).get("/api/meetings/").status_code == 403


@pytest.mark.django_db
def test_outsider_gets_404_on_foreign_meeting_rows_and_lists_never_show_them(
    api, breached, foreign, outsider_membership
):
    _req, meeting, item = breached
    client = api(foreign[3])  # the other organization's ops manager
    assert client.get(f"/api/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/api/meetings/{meeting.pk}/close/", {}, format="json").status_code == 404
    assert (
        client.post(
            f"/api/agenda-items/{item.pk}/outcome/", {"root_cause": "other"}, format="json"
        ).status_code
        == 404
    )
    response = client.post(
        "/api/action-items/",
        {
            "agenda_item": item.pk,
            "title": "x",
            "owner": foreign[3].user_id,
            "due_date": "2025-03-20",
        },
        format="json",
    )
    assert response.status_code == 400 and "agenda_item" in response.json()
    assert [m["id"] for m in client.get("/api/meetings/").json()["results"]] == [foreign[0].pk]
    assert [a["id"] for a in client.get("/api/action-items/").json()["results"]] == [foreign[2].pk]


@pytest.mark.django_db
def test_own_organization_never_sees_the_foreign_action_item(api, breached, foreign, ops):
    _meeting, _item, action, _ops = foreign
    assert api(ops).get(f"/api/action-items/{action.pk}/").status_code == 404
    assert (
        api(ops).post(f"/api/action-items/{action.pk}/done/", {}, format="json").status_code == 404
    )
    assert api(ops).get("/api/action-items/").json()["results"] == []


@pytest.mark.django_db
def test_kpis_head_sees_own_department_ops_all_outsider_404_on_ours(
    api, breached, ops, head_rnd, org, outsider
):
    _req, _meeting, item = breached
    services.agenda_item_classify(actor=ops, item=item, root_cause="subjective")
    rows = api(head_rnd).get("/api/kpis/?period=2025-03").json()["results"]
    assert [
        (r["department"]["code"], r["served"], r["breaches"], r["subjective"]) for r in rows
    ] == [("rnd", 1, 1, 1)]
    all_rows = api(ops).get("/api/kpis/?period=2025-03").json()["results"]
    assert len(all_rows) > 1 and {"rnd", "marketing"} <= {r["department"]["code"] for r in all_rows}
    assert (
        api(ops).get("/api/kpis/?period=2025-03&department=rnd").json()["results"][0]["subjective"]
        == 1
    )
    assert api(head_rnd).get("/api/kpis/?department=marketing").status_code == 404
    with organization_scope(org.id):
        rnd_id = item.department_id
    assert api(outsider).get(f"/api/kpis/?department={rnd_id}").status_code == 404
    theirs = api(outsider).get("/api/kpis/?period=2025-03").json()["results"]
    assert all(r["served"] == 0 and r["subjective"] == 0 for r in theirs)


@pytest.mark.django_db
def test_inbox_counts_lists_and_marks_only_the_callers_notifications(api, breached, ops, outsider):
    client = api(ops)
    count = client.get("/api/inbox/unread-count/").json()["unread"]
    assert count >= 1
    listing = client.get("/api/inbox/?unread=1").json()["results"]
    assert len(listing) == count
    first = listing[0]["id"]
    assert client.post(f"/api/inbox/{first}/read/").status_code == 200
    assert client.get("/api/inbox/unread-count/").json()["unread"] == count - 1
    assert api(outsider).post(f"/api/inbox/{first}/read/").status_code == 404
    assert api(outsider).get("/api/inbox/").json()["results"] == []
    assert client.post("/api/inbox/read-all/").json()["marked"] == count - 1
    assert client.get("/api/inbox/unread-count/").json()["unread"] == 0


@pytest.mark.django_db
def test_an_action_owner_without_meeting_rights_sees_and_ticks_only_their_items(
    api, breached, ops, dev_rnd
):
    _req, _meeting, item = breached
    action = services.action_item_add(
        actor=ops, item=item, title="文档", owner=dev_rnd.user_id, due_date=dt.date(2025, 3, 9)
    )
    client = api(dev_rnd)
    assert [a["id"] for a in client.get("/api/action-items/").json()["results"]] == [action.pk]
    assert client.post(f"/api/action-items/{action.pk}/done/", {}, format="json").status_code == 200
    with organization_scope(item.organization_id):
        assert ActionItem.objects.get().done_at is not None
    assert client.get("/api/meetings/").status_code == 403
