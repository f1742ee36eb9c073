"""The department queue: who sees it, due-first order, filters in the URL,
in-place row actions and a locked query count."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from collab import tenancy
from departments.roles import Role
from requests_sla.requests.models import Request, Status
from requests_sla.requests.views.queue import queue
from requests_sla.tests.factories import file_tech_support, person

QUEUE = "/requests/queue/"


def row_ids(body: str) -> list[int]:
    import re

    return [int(i) for i in re.findall(r'<tr id="row-(\d+)"', body)]


@pytest.mark.django_db
def test_queue_is_sorted_by_what_is_due_first(client_for, rep, head_rnd):
    slow = file_tech_support(rep, priority="low", title="慢")  # 48 h to respond
    fast = file_tech_support(rep, priority="urgent", title="急")  # 4 h
    normal = file_tech_support(rep, priority="normal", title="普通")  # 24 h
    body = client_for(head_rnd.user).get(QUEUE).content.decode()
    assert row_ids(body) == [fast.pk, normal.pk, slow.pk]
    assert 'class="sla sla-on_track"' in body and "sla-icon" in body  # band + icon + words


@pytest.mark.django_db
def test_a_member_sees_assigned_to_me_by_default_with_a_toggle(client_for, rep, head_rnd, dev_rnd):
    mine = file_tech_support(rep, title="给我的")
    other = file_tech_support(rep, title="没人管")
    with tenancy.organization_scope(rep.organization_id):
        from requests_sla.requests.services import request_assign

        request_assign(request=mine, actor=head_rnd, assignee=dev_rnd.user)
    client = client_for(dev_rnd.user)
    assert row_ids(client.get(QUEUE).content.decode()) == [mine.pk]
    assert set(row_ids(client.get(QUEUE, {"assignee": "any"}).content.decode())) == {
        mine.pk,
        other.pk,
    }
    assert row_ids(client.get(QUEUE, {"assignee": "none"}).content.decode()) == [other.pk]


@pytest.mark.django_db
def test_filters_are_get_parameters_and_bad_values_are_ignored(client_for, org, rep, head_rnd):
    new = file_tech_support(rep, title="新的")
    done = file_tech_support(rep, title="已解决的")
    with tenancy.organization_scope(org.id):
        from requests_sla.requests.services import request_resolve

        request_resolve(request=done, actor=head_rnd)
    client = client_for(head_rnd.user)
    assert row_ids(client.get(QUEUE, {"status": "resolved"}).content.decode()) == [done.pk]
    assert row_ids(client.get(QUEUE, {"sla_state": "on_track"}).content.decode()) == [new.pk]
    response = client.get(QUEUE, {"request_type": "abc", "assignee": "<x>", "status": "bogus"})
    assert response.status_code == 200 and row_ids(response.content.decode()) == [new.pk]


@pytest.mark.django_db
def test_reps_get_403_and_outsiders_see_no_foreign_rows(
    client_for, org, other_org, rep, head_rnd, outsider
):
    file_tech_support(rep)
    assert client_for(rep.user).get(QUEUE).status_code == 403
    body = (
        client_for(outsider).get(QUEUE).content.decode()
    )  # an admin of the other org sees all of theirs
    assert row_ids(body) == []


@pytest.mark.django_db
def test_ops_managers_pick_any_department(client_for, org, rep, head_rnd):
    filed = file_tech_support(rep)
    ops = person(org, Role.OPS_MANAGER, "ops_mgmt", "opsmgr")
    client = client_for(ops.user)
    assert row_ids(client.get(QUEUE).content.decode()) == [filed.pk]
    marketing = Request.serving_department.field.related_model.unscoped.get(
        organization=org, code="marketing"
    )
    assert row_ids(client.get(QUEUE, {"department": marketing.pk}).content.decode()) == []


@pytest.mark.django_db
def test_acknowledge_in_place_returns_the_updated_row(client_for, rep, head_rnd):
    filed = file_tech_support(rep)
    response = client_for(head_rnd.user).post(
        reverse("requests_sla:action", args=[filed.pk, "acknowledge"]),
        {"return": "row"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.startswith(f'<tr id="row-{filed.pk}"') and "status-acknowledged" in body
    assert Request.unscoped.get(pk=filed.pk).status == Status.ACKNOWLEDGED


@pytest.mark.django_db
def test_assign_pause_and_resolve_in_place(client_for, rep, head_rnd, dev_rnd):
    filed = file_tech_support(rep)
    client = client_for(head_rnd.user)
    url = lambda name: reverse("requests_sla:action", args=[filed.pk, name])  # noqa: E731
    body = client.post(
        url("assign"), {"return": "row", "assignee": dev_rnd.user_id}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'<option value="{dev_rnd.user_id}" selected' in body
    body = client.post(
        url("pause"), {"return": "row", "reason": "等客户日志"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "sla-paused" in body
    body = client.post(url("resolve"), {"return": "row"}, HTTP_HX_REQUEST="true").content.decode()
    assert "status-resolved" in body and "sla-met" in body
    assert Request.unscoped.get(pk=filed.pk).status == Status.RESOLVED


@pytest.mark.django_db
def test_a_row_escapes_what_people_typed_and_reads_in_english(client_for, rep, head_rnd, dev_rnd):
    filed = file_tech_support(rep, title='<script>alert("x")</script> & co')
    client = client_for(head_rnd.user)
    body = client.get(QUEUE).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in body
    client.cookies["django_language"] = "en"
    body = client.get(QUEUE).content.decode()
    row = body[body.index(f'<tr id="row-{filed.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-label="Title"' in row and 'data-label="Time left"' in row
    assert 'data-action="acknowledge">Acknowledge</button>' in row
    assert f'<option value="{dev_rnd.user_id}">' in row and 'class="assign-select"' in row


@pytest.mark.django_db
def test_a_row_returned_in_place_sends_its_forms_back_to_the_queue_page_it_was_on(
    client_for, rep, head_rnd
):
    filed = file_tech_support(rep)
    client = client_for(head_rnd.user)
    page = "/requests/queue/?assignee=any&sla_state=on_track"
    body = client.post(
        reverse("requests_sla:action", args=[filed.pk, "acknowledge"]),
        {"return": "row", "next": page},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert (
        body.count('name="next" value="/requests/queue/?assignee=any&amp;sla_state=on_track"') >= 2
    )
    body = client.post(
        reverse("requests_sla:action", args=[filed.pk, "pause"]),
        {"return": "row", "reason": "等日志", "next": "https://evil.example/"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "evil.example" not in body and 'name="next" value="/requests/queue/"' in body
    # without JavaScript the same form redirects back to that page
    response = client.post(
        reverse("requests_sla:action", args=[filed.pk, "resume"]), {"return": "row", "next": page}
    )
    assert response.status_code == 302 and response.url == page


@pytest.mark.django_db
def test_assigning_someone_outside_the_department_shows_the_error_in_the_row(
    client_for, org, rep, head_rnd
):
    filed = file_tech_support(rep)
    outsider_member = person(org, Role.DEPT_MEMBER, "marketing", "mktdev")
    response = client_for(head_rnd.user).post(
        reverse("requests_sla:action", args=[filed.pk, "assign"]),
        {"return": "row", "assignee": outsider_member.user_id},
        HTTP_HX_REQUEST="true",
    )
    assert 'class="error"' in response.content.decode()
    assert Request.unscoped.get(pk=filed.pk).assignee_id is None


@pytest.mark.django_db
def test_bulk_assign_assigns_the_selection_and_returns_the_body(client_for, rep, head_rnd, dev_rnd):
    a, b, c = (file_tech_support(rep, title=t) for t in ("甲", "乙", "丙"))
    response = client_for(head_rnd.user).post(
        reverse("requests_sla:bulk_assign"),
        {"ids": [a.pk, b.pk], "assignee": dev_rnd.user_id, "filters": "assignee=any"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.startswith('<tbody id="queue-body"') and set(row_ids(body)) == {a.pk, b.pk, c.pk}
    assignees = dict(
        Request.unscoped.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "assignee_id")
    )
    assert assignees == {a.pk: dev_rnd.user_id, b.pk: dev_rnd.user_id, c.pk: None}


@pytest.mark.django_db
def test_bulk_assign_without_a_choice_changes_nothing_and_says_so(
    client_for, rep, head_rnd, dev_rnd
):
    a, b = (file_tech_support(rep, title=t) for t in ("甲", "乙"))
    client = client_for(head_rnd.user)
    for pk in (a.pk, b.pk):
        with tenancy.organization_scope(rep.organization_id):
            from requests_sla.requests.services import request_assign

            request_assign(
                request=Request.objects.get(pk=pk), actor=head_rnd, assignee=dev_rnd.user
            )
    response = client.post(
        reverse("requests_sla:bulk_assign"),
        {"ids": [a.pk, b.pk], "assignee": "", "filters": "assignee=any"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Choose an assignee first" in body and "Assigned" not in body
    assert set(
        Request.unscoped.filter(pk__in=[a.pk, b.pk]).values_list("assignee_id", flat=True)
    ) == {dev_rnd.user_id}
    # Unassigning is its own explicit choice, and the message says so.
    body = client.post(
        reverse("requests_sla:bulk_assign"),
        {"ids": [a.pk, b.pk], "assignee": "none", "filters": "assignee=any"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Unassigned 2 requests." in body
    assert set(
        Request.unscoped.filter(pk__in=[a.pk, b.pk]).values_list("assignee_id", flat=True)
    ) == {None}


@pytest.mark.django_db
def test_bulk_assign_with_a_foreign_id_is_404_and_assigns_nothing(
    client_for, other_org, rep, head_rnd, dev_rnd
):
    ours = file_tech_support(rep)
    theirs = file_tech_support(person(other_org, Role.SALES_REP, "business", "theirrep"))
    response = client_for(head_rnd.user).post(
        reverse("requests_sla:bulk_assign"),
        {"ids": [ours.pk, theirs.pk], "assignee": dev_rnd.user_id},
    )
    assert response.status_code == 404
    assert Request.unscoped.get(pk=ours.pk).assignee_id is None


@pytest.mark.django_db
def test_the_poll_returns_only_the_table_body(client_for, rep, head_rnd):
    file_tech_support(rep)
    response = client_for(head_rnd.user).get(
        QUEUE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-body"
    )
    assert response.content.decode().startswith('<tbody id="queue-body"')


@pytest.mark.django_db
def test_queue_query_count_is_locked_and_does_not_grow(
    client_for, rep, head_rnd, dev_rnd, django_assert_num_queries
):
    client = client_for(head_rnd.user)
    file_tech_support(rep)
    client.get(QUEUE)  # warm the session
    # user, memberships (the session is cached), my overdue action items, queue count
    # (pager), queue page, timers, assignees, departments, types, and the
    # nav's unread-notification count
    with django_assert_num_queries(10):
        assert len(row_ids(client.get(QUEUE).content.decode())) == 1
    for i in range(12):
        file_tech_support(
            rep, title=f"第{i}个", priority=["low", "normal", "high", "urgent"][i % 4]
        )
    with django_assert_num_queries(10):
        assert len(row_ids(client.get(QUEUE).content.decode())) == 13


@pytest.mark.django_db
def test_the_minute_poll_does_not_count_the_queue_and_does_not_grow(
    client_for, rep, head_rnd, dev_rnd, django_assert_num_queries
):
    client = client_for(head_rnd.user)
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-body"}
    file_tech_support(rep)
    client.get(QUEUE, **poll)  # warm the session
    # user, memberships (the session is cached), queue page, timers, assignees: not the
    # pager's count, the filter menus or the layout's (the body shows none)
    with django_assert_num_queries(6) as captured:
        assert len(row_ids(client.get(QUEUE, **poll).content.decode())) == 1
    assert not any("COUNT(" in q["sql"] and "requests_sla_request" in q["sql"] for q in captured)
    for i in range(12):
        file_tech_support(rep, title=f"第{i}个")
    with django_assert_num_queries(6):
        assert len(row_ids(client.get(QUEUE, **poll).content.decode())) == 13


@pytest.mark.django_db
def test_the_poll_shows_the_same_rows_as_the_page_for_any_page_number(
    client_for, rep, head_rnd, monkeypatch
):
    from requests_sla.requests.views import queue as views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 5)
    for i in range(12):
        file_tech_support(rep, title=f"第{i}个", priority=["low", "urgent", "high"][i % 3])
    client = client_for(head_rnd.user)
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-body"}
    for page in ["", "1", "2", "3", "4", "99", "0", "-1", "abc", "1.5"]:
        full = row_ids(client.get(QUEUE, {"page": page}).content.decode())
        body = row_ids(client.get(QUEUE, {"page": page}, **poll).content.decode())
        assert body == full and full, page


@pytest.mark.django_db
def test_the_benchmark_can_render_the_queue_with_a_request_factory(org, rep, head_rnd):
    file_tech_support(rep)
    request = RequestFactory().get(QUEUE)
    request.user = head_rnd.user
    request.membership = head_rnd
    request.organization = org
    with tenancy.organization_scope(org.id):
        response = queue(request)
    assert response.status_code == 200 and len(row_ids(response.content.decode())) == 1


@pytest.mark.django_db
def test_a_long_queue_is_shown_a_page_at_a_time_most_urgent_first(
    client_for, rep, head_rnd, monkeypatch
):
    from requests_sla.requests.views import queue as views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 5)
    for i in range(7):
        file_tech_support(rep, title=f"第{i}个", priority=["low", "urgent"][i % 2])
    client = client_for(head_rnd.user)
    first = client.get(QUEUE).content.decode()
    second = client.get(QUEUE + "?page=2").content.decode()
    assert len(row_ids(first)) == 5 and len(row_ids(second)) == 2
    assert not set(row_ids(first)) & set(row_ids(second))
    assert "page=2" in first
