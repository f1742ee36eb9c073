"""The approver's queue, the request page's panel, the signed email link,
the API, and the tenancy trio."""

import datetime as dt

import pytest
from django.urls import reverse

from requests_sla.approvals import signed_links
from requests_sla.approvals.models import StepState
from requests_sla.approvals.tests.helpers import file_expense, flow_of, steps_of
from requests_sla.notifications.models import Notification
from requests_sla.tests.factories import person

pytestmark = pytest.mark.django_db
# The pending list page: session, user, membership, navigation reads, the
# steps (one query with their request, type, requester, delegator, timer),
# the delegations. Locked: it must not grow with the number of rows.
QUERIES = 6


def test_queue_lists_my_steps_and_one_click_approves(client_for, rep, chain, head_fin):
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    client = client_for(head_fin.user)
    page = client.get(reverse("requests_sla:approvals"))
    assert page.status_code == 200
    assert f'id="step-{step.pk}"' in page.content.decode()
    response = client.post(
        reverse("requests_sla:approval_act", args=[step.pk]), {"action": "approve"}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.APPROVED
    # A double click: the second post changes nothing and says so.
    again = client.post(
        reverse("requests_sla:approval_act", args=[step.pk]), {"action": "approve"}, follow=True
    )
    assert again.status_code == 200
    step.refresh_from_db()
    assert step.state == StepState.APPROVED
    page = client.get(reverse("requests_sla:approvals"))
    assert f'id="step-{step.pk}"' not in page.content.decode()


def test_reject_from_the_queue_needs_a_reason(client_for, rep, chain, head_fin):
    step = steps_of(file_expense(rep, "6000.00"))[0]
    client = client_for(head_fin.user)
    client.post(reverse("requests_sla:approval_act", args=[step.pk]), {"action": "reject"})
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    client.post(
        reverse("requests_sla:approval_act", args=[step.pk]),
        {"action": "reject", "reason": "无发票"},
    )
    step.refresh_from_db()
    assert (step.state, step.reason) == (StepState.REJECTED, "无发票")


def test_request_page_panel_approves(client_for, rep, chain, head_fin):
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    client = client_for(head_fin.user)
    page = client.get(reverse("requests_sla:detail", args=[request.pk])).content.decode()
    assert 'id="approval-panel"' in page and f'id="panel-reason-{step.pk}"' in page
    requester_page = client_for(rep.user).get(reverse("requests_sla:detail", args=[request.pk]))
    assert f'id="panel-reason-{step.pk}"' not in requester_page.content.decode()
    client = client_for(head_fin.user)
    client.post(
        reverse("requests_sla:approval_act", args=[step.pk]),
        {"action": "approve", "next": reverse("requests_sla:detail", args=[request.pk])},
    )
    assert flow_of(request).state == "approved"


def test_tenancy_trio_on_the_act_page(client_for, rep, chain, head_fin, outsider):
    step = steps_of(file_expense(rep, "6000.00"))[0]
    url = reverse("requests_sla:approval_act", args=[step.pk])
    # teammate (the requester): sees the request, but the step is not theirs
    client_for(rep.user).post(url, {"action": "approve"})
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    # outsider: another organization's id is a 404
    assert client_for(outsider).post(url, {"action": "approve"}).status_code == 404
    # owner (the approver) acts
    client_for(head_fin.user).post(url, {"action": "approve"})
    step.refresh_from_db()
    assert step.state == StepState.APPROVED


def test_signed_link_valid_replayed_wrong_user_expired(
    client_for, frozen, rep, chain, head_fin, admin, settings
):
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    url = signed_links.step_signed_path(step)
    # the email carries it
    notification = Notification.unscoped.get(recipient_id=head_fin.user_id, kind="approval")
    assert url in "\n".join(signed_links.approval_email_lines(notification))
    # needs a signed-in session: anonymous is sent to log in
    anonymous = client_for(head_fin.user)
    anonymous.logout()
    assert anonymous.get(url).status_code == 302
    # another signed-in user: refused, nothing changes
    assert client_for(admin.user).post(url, {"action": "approve"}).status_code == 403
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    client = client_for(head_fin.user)
    shown = client.get(url)
    assert shown.status_code == 200  # GET shows, writes nothing
    assert 'id="link-reason"' in shown.content.decode()  # with the decision's controls
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    assert client.post(url, {"action": "approve"}).status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.APPROVED
    acted_at = step.acted_at
    # replay: does nothing
    client.post(url, {"action": "reject", "reason": "again"})
    step.refresh_from_db()
    assert (step.state, step.acted_at) == (StepState.APPROVED, acted_at)
    assert signed_links.approval_email_lines(notification) == []  # decided: no link any more
    # expired
    frozen.shift(dt.timedelta(seconds=signed_links.max_age() + 60))
    assert client.get(url).status_code == 410
    assert client.get(url[:-3] + "xx/").status_code == 404  # tampered


def test_api_lists_and_acts(api, rep, chain, head_fin, admin, outsider_membership):
    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    client = api(head_fin)
    listed = client.get("/api/approvals/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [step.pk]
    url = f"/api/approvals/{step.pk}/act/"
    assert client.post(url, {"action": "reject"}, format="json").status_code == 400
    assert api(admin).post(url, {"action": "approve"}, format="json").status_code == 400
    assert (
        api(outsider_membership).post(url, {"action": "approve"}, format="json").status_code == 404
    )
    ok = client.post(url, {"action": "approve"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    assert client.post(url, {"action": "approve"}, format="json").status_code == 409
    assert client.get("/api/approvals/").json()["results"] == []


def test_api_schema_has_the_act_endpoint(api, admin):
    schema = api(admin).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/approvals/{id}/act/" in paths
    assert "409" in paths["/api/approvals/{id}/act/"]["post"]["responses"]


def test_pending_list_query_count_does_not_grow(
    client_for, django_assert_num_queries, org, rep, chain, head_fin
):
    file_expense(rep, "6000.00")
    client = client_for(head_fin.user)
    client.get(reverse("requests_sla:approvals"))  # warm caches (session, navigation)
    with django_assert_num_queries(QUERIES):
        client.get(reverse("requests_sla:approvals"))
    rep2 = person(org, "sales_rep", "business", "rep2")
    for _ in range(4):
        file_expense(rep2, "7000.00")
    with django_assert_num_queries(QUERIES):
        page = client.get(reverse("requests_sla:approvals"))
    assert page.content.decode().count('id="step-') == 5


def test_chain_editor_saves_steps_in_order(client_for, org, owner, rep, head_fin):
    from requests_sla.approvals.models import ApprovalStepDefinition
    from requests_sla.tests.factories import request_type

    rtype = request_type(org, "fin_expense_approval")
    url = reverse("requests_sla:approval_chain", args=[rtype.pk])
    client = client_for(owner)
    assert client.get(url).status_code == 200
    data = {
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
        "steps-0-name_zh": "管理员",
        "steps-0-approver_kind": "org_admin",
        "steps-0-condition_field": "amount",
        "steps-0-condition_operator": "gt",
        "steps-0-condition_value": "50000",
        "steps-0-sla_hours": "8",
        "steps-0-ORDER": "2",
        "steps-1-name_zh": "财务负责人",
        "steps-1-approver_kind": "dept_head",
        "steps-1-sla_hours": "4",
        "steps-1-ORDER": "1",
    }
    assert client.post(url, data).status_code == 302
    rows = list(ApprovalStepDefinition.unscoped.filter(request_type=rtype).order_by("position"))
    assert [r.name_zh for r in rows] == ["财务负责人", "管理员"]
    bad = dict(data, **{"steps-0-condition_value": "lots", "steps-0-condition_field": "nope"})
    assert client.post(url, bad).status_code == 400
    assert client_for(rep.user).get(url).status_code == 403


def test_api_pending_list_query_count_is_locked(
    api, django_assert_num_queries, org, rep, chain, head_fin
):
    file_expense(rep, "6000.00")
    client = api(head_fin)
    client.get("/api/approvals/")  # warm caches
    rep2 = person(org, "sales_rep", "business", "rep2")
    # token, membership, count, the page of steps (one query with its relations)
    with django_assert_num_queries(API_QUERIES):
        assert len(client.get("/api/approvals/").json()["results"]) == 1
    for _ in range(3):
        file_expense(rep2, "7000.00")
    with django_assert_num_queries(API_QUERIES):
        assert len(client.get("/api/approvals/").json()["results"]) == 4


API_QUERIES = 4


def test_resolving_through_the_api_before_the_chain_completes_is_a_400(api, rep, chain, head_fin):
    request = file_expense(rep, "6000.00")
    response = api(head_fin).post(f"/api/requests/{request.pk}/resolve/", {}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    request.refresh_from_db()
    assert request.status != "resolved"


def test_queue_in_english(client_for, rep, chain, head_fin):
    step = steps_of(file_expense(rep, "6000.00"))[0]
    page = client_for(head_fin.user).get(
        reverse("requests_sla:approvals"), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert f'id="step-{step.pk}"' in text
    assert 'lang="en"' in text  # the test organization's language
    assert "My approvals" in text and "Reject or send back" in text
    assert "待我审批" not in text


def test_requester_corrects_and_resubmits_from_the_request_page(client_for, rep, chain, head_fin):
    from requests_sla.approvals import services

    request = file_expense(rep, "6000.00")
    step = steps_of(request)[0]
    services.step_act(step_id=step.pk, actor=head_fin, action="send_back", reason="金额有误")
    client = client_for(rep.user)
    page = client.get(reverse("requests_sla:detail", args=[request.pk])).content.decode()
    assert 'id="approval-resubmit"' in page and 'name="resubmit-amount"' in page
    url = reverse("requests_sla:approval_resubmit", args=[request.pk])
    bad = client.post(url, {"resubmit-amount": "-5", "resubmit-expense_kind": "travel"})
    assert bad.status_code == 302 and flow_of(request).state == "sent_back"
    form = {
        "resubmit-amount": "5800.00",
        "resubmit-expense_kind": "travel",
        "resubmit-expense_date": "2025-03-01",
        "resubmit-purpose": "拜访华东电力",
    }
    client.post(url, form)
    request.refresh_from_db()
    assert request.extra["amount"] == "5800.00"
    assert [(s.round, s.state) for s in steps_of(request)] == [
        (1, StepState.SENT_BACK),
        (1, StepState.SKIPPED),
        (2, StepState.PENDING),
        (2, StepState.SKIPPED),
    ]


def test_django_admin_shows_the_chain_inline(admin_client, org, chain):
    from requests_sla.tests.factories import request_type

    rtype = request_type(org, "fin_expense_approval")
    page = admin_client.get(f"/admin/requests_sla/requesttype/{rtype.pk}/change/")
    assert page.status_code == 200
    assert "approval_steps-0-name_zh" in page.content.decode()
