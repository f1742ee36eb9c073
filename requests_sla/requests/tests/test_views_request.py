"""The request page: who sees it, the timers, the timeline and one-service actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collab import tenancy
from departments.roles import Role
from requests_sla.requests.models import Comment, Request, Status
from requests_sla.tests.factories import file_tech_support, person


@pytest.fixture
def filed(rep, head_rnd):
    return file_tech_support(rep)


def detail(obj):
    return reverse("requests_sla:detail", args=[obj.pk])


def action(obj, name):
    return reverse("requests_sla:action", args=[obj.pk, name])


def status_of(obj):
    return Request.unscoped.get(pk=obj.pk).status


@pytest.mark.django_db
def test_requester_and_serving_department_see_the_page_with_timers(
    client_for, filed, rep, head_rnd
):
    for user in (rep.user, head_rnd.user):
        response = client_for(user).get(detail(filed))
        assert response.status_code == 200
        body = response.content.decode()
        assert (
            filed.reference in body
            and 'id="timer-response"' in body
            and 'id="timer-resolution"' in body
        )
        assert "UTC+8" in body  # due times show their zone


@pytest.mark.django_db
def test_a_rep_who_neither_filed_nor_watches_gets_404(client_for, org, filed):
    other = person(org, Role.SALES_REP, "business", "stranger")
    assert client_for(other.user).get(detail(filed)).status_code == 404


@pytest.mark.django_db
def test_an_outsider_gets_404_for_our_request_and_its_actions(client_for, outsider, filed):
    client = client_for(outsider)
    assert client.get(detail(filed)).status_code == 404
    assert client.post(action(filed, "acknowledge")).status_code == 404
    assert (
        client.post(reverse("requests_sla:comment", args=[filed.pk]), {"body": "hi"}).status_code
        == 404
    )
    assert status_of(filed) == Status.NEW


@pytest.mark.django_db
def test_buttons_fit_the_viewer(client_for, filed, rep, head_rnd):
    rep_body = client_for(rep.user).get(detail(filed)).content.decode()
    assert 'data-action="acknowledge"' not in rep_body and 'id="act-cancel"' in rep_body
    head_body = client_for(head_rnd.user).get(detail(filed)).content.decode()
    assert 'data-action="acknowledge"' in head_body and 'id="act-transfer"' in head_body
    assert 'id="act-cancel"' not in head_body


@pytest.mark.django_db
def test_acknowledge_with_htmx_returns_the_main_region_and_changes_state(
    client_for, filed, head_rnd
):
    response = client_for(head_rnd.user).post(action(filed, "acknowledge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="request-main"') and "<html" not in body
    assert "status-acknowledged" in body
    assert status_of(filed) == Status.ACKNOWLEDGED


@pytest.mark.django_db
def test_actions_without_javascript_redirect_back_with_a_message(client_for, filed, head_rnd):
    client = client_for(head_rnd.user)
    response = client.post(action(filed, "pause"), {"reason": "请补充客户环境"}, follow=True)
    assert response.redirect_chain[-1][0] == detail(filed)
    assert status_of(filed) == Status.WAITING_ON_REQUESTER
    assert "请补充客户环境" in response.content.decode()


@pytest.mark.django_db
def test_pause_without_a_reason_says_so_and_changes_nothing(client_for, filed, head_rnd, client):
    client.cookies["django_language"] = "zh-hans"
    response = client_for(head_rnd.user).post(
        action(filed, "pause"), {"reason": " "}, HTTP_HX_REQUEST="true"
    )
    assert "请填写原因" in response.content.decode()
    assert status_of(filed) == Status.NEW


@pytest.mark.django_db
def test_a_rep_cannot_acknowledge(client_for, filed, rep):
    assert client_for(rep.user).post(action(filed, "acknowledge")).status_code == 403
    assert status_of(filed) == Status.NEW


@pytest.mark.django_db
def test_assign_transfer_resolve_close_and_reopen_run_their_services(
    client_for, org, filed, head_rnd, dev_rnd, rep
):
    client = client_for(head_rnd.user)
    client.post(action(filed, "assign"), {"assignee": dev_rnd.user_id})
    assert Request.unscoped.get(pk=filed.pk).assignee_id == dev_rnd.user_id
    client.post(action(filed, "resolve"), {"resolution": "已答复参数"})
    assert status_of(filed) == Status.RESOLVED
    rep_client = client_for(rep.user)
    rep_client.post(action(filed, "close"))
    assert status_of(filed) == Status.CLOSED
    rep_client.post(action(filed, "reopen"), {"reason": "客户又问了"})
    assert status_of(filed) == Status.IN_PROGRESS
    with tenancy.organization_scope(org.id):
        from requests_sla.catalog.models import RequestType

        target = RequestType.objects.get(code="pm_pricing_quote")
    client_for(head_rnd.user).post(
        action(filed, "transfer"), {"request_type": target.pk, "reason": "是报价问题"}
    )
    moved = Request.unscoped.get(pk=filed.pk)
    assert (moved.request_type_id, moved.status) == (target.pk, Status.NEW)


@pytest.mark.django_db
def test_transfer_to_a_foreign_type_is_refused(client_for, other_org, filed, head_rnd):
    from requests_sla.catalog.models import RequestType

    foreign = RequestType.unscoped.get(organization=other_org, code="pm_pricing_quote")
    response = client_for(head_rnd.user).post(
        action(filed, "transfer"), {"request_type": foreign.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Request.unscoped.get(pk=filed.pk).serving_department_id == filed.serving_department_id


@pytest.mark.django_db
def test_internal_notes_are_shown_to_the_serving_department_only(client_for, filed, head_rnd, rep):
    client_for(head_rnd.user).post(
        reverse("requests_sla:comment", args=[filed.pk]),
        {"body": "内部：客户是老客户", "is_internal": "on"},
    )
    client_for(head_rnd.user).post(
        reverse("requests_sla:comment", args=[filed.pk]), {"body": "公开：正在确认"}
    )
    assert Comment.unscoped.filter(request_id=filed.pk, is_internal=True).count() == 1
    head_body = client_for(head_rnd.user).get(detail(filed)).content.decode()
    assert "内部：客户是老客户" in head_body and "公开：正在确认" in head_body
    rep_body = client_for(rep.user).get(detail(filed)).content.decode()
    assert "内部：客户是老客户" not in rep_body and "公开：正在确认" in rep_body
    assert 'name="is_internal"' not in rep_body


@pytest.mark.django_db
def test_an_empty_comment_keeps_the_page_and_says_what_is_missing(client_for, filed, rep):
    response = client_for(rep.user).post(
        reverse("requests_sla:comment", args=[filed.pk]), {"body": ""}
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not Comment.unscoped.filter(request_id=filed.pk).exists()


@pytest.mark.django_db
def test_attachment_type_errors_are_shown(client_for, filed, rep, client):
    client.cookies["django_language"] = "zh-hans"
    bad = SimpleUploadedFile("run.exe", b"MZ...", content_type="application/x-msdownload")
    response = client_for(rep.user).post(
        reverse("requests_sla:attach", args=[filed.pk]), {"file": bad}
    )
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    good = SimpleUploadedFile("spec.txt", b"hello", content_type="text/plain")
    response = client_for(rep.user).post(
        reverse("requests_sla:attach", args=[filed.pk]), {"file": good}, follow=True
    )
    assert "spec.txt" in response.content.decode()


@pytest.mark.django_db
def test_my_requests_lists_what_i_filed_or_watch_and_nothing_foreign(
    client_for, org, other_org, filed, rep, head_rnd
):
    foreign_rep = person(other_org, Role.SALES_REP, "business", "theirrep")
    foreign = file_tech_support(foreign_rep, title="他们的请求")
    other = person(org, Role.SALES_REP, "business", "colleague")
    theirs = file_tech_support(other, title="同事的请求")
    body = client_for(rep.user).get(reverse("requests_sla:mine")).content.decode()
    assert filed.reference in body and f'id="req-{filed.pk}"' in body
    assert f'id="req-{theirs.pk}"' not in body and f'id="req-{foreign.pk}"' not in body
    with tenancy.organization_scope(org.id):
        Request.objects.get(pk=theirs.pk).watchers.add(
            rep.user, through_defaults={"organization_id": org.id}
        )
    body = (
        client_for(rep.user)
        .get(reverse("requests_sla:mine"), {"role": "watching"})
        .content.decode()
    )
    assert f'id="req-{theirs.pk}"' in body and f'id="req-{filed.pk}"' not in body


@pytest.mark.django_db
def test_my_requests_empty_state_says_what_to_do(client_for, teammate, client):
    client.cookies["django_language"] = "zh-hans"
    body = client_for(teammate).get(reverse("requests_sla:mine")).content.decode()
    assert "还没有请求" in body and reverse("requests_sla:new") in body
