"""Department KPIs against a hand-computed fixture, who sees which rows, and
query-count locks on the meetings and KPI pages.

Fixture (tech support, served by R&D: response 24 calendar hours, resolution
5 working days; filed Monday 3 March 2025 09:00 Shanghai):
* R1 acknowledged at once, resolved Tuesday: response met, resolution met;
* R2 never answered: response breached (Tuesday 09:00), resolution breached
  (due Monday 10 March 18:00);
* R3 acknowledged at once, never resolved: response met, resolution breached;
* M1, a marketing request, acknowledged: marketing's row only.
Swept on Tuesday 11 March 09:30: R2 and R3 go on the meeting; R2's item is
classified subjective, R3's objective with one action item.

R&D for March: served 3; response 2 met of 3 (66.7 %); resolution 1 of 3
(33.3 %); breaches 3; subjective delays 1; objective limits 1 with 1 action.
"""

import datetime as dt

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from requests_sla.catalog.models import RequestType
from requests_sla.escalation.services import sla_sweep
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.kpis import department_kpis, month_period
from requests_sla.meetings.models import AgendaItem, ReviewMeeting
from requests_sla.requests import services as request_services
from requests_sla.tests.factories import file_tech_support

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def month(frozen, org, rep, head_rnd, dev_rnd, head_mkt, ops):
    r1 = file_tech_support(rep, title="R1")
    file_tech_support(rep, title="R2")
    r3 = file_tech_support(rep, title="R3")
    with organization_scope(org.id):
        campaign = RequestType.objects.get(code="mkt_campaign_support")
    m1 = request_services.request_file(
        actor=rep,
        request_type=campaign,
        priority="normal",
        title="M1",
        extra={"campaign_kind": "webinar", "audience": "银行"},
    )
    request_services.request_acknowledge(request=r1, actor=dev_rnd)
    request_services.request_acknowledge(request=r3, actor=dev_rnd)
    request_services.request_acknowledge(request=m1, actor=head_mkt)
    frozen.move_to(dt.datetime(2025, 3, 4, 15, tzinfo=SH))
    request_services.request_resolve(request=r1, actor=dev_rnd, resolution="已答复")
    frozen.move_to(dt.datetime(2025, 3, 11, 9, 30, tzinfo=SH))
    sla_sweep()
    with organization_scope(org.id):
        meeting = ReviewMeeting.objects.get()
        items = {i.request.title: i for i in AgendaItem.objects.select_related("request")}
    assert sorted(items) == ["R2", "R3"]
    meeting_services.agenda_item_classify(actor=ops, item=items["R2"], root_cause="subjective")
    meeting_services.agenda_item_classify(actor=ops, item=items["R3"], root_cause="objective")
    meeting_services.action_item_add(
        actor=ops,
        item=items["R3"],
        title="补充人手",
        owner=head_rnd.user,
        due_date=dt.date(2025, 3, 20),
    )
    return meeting


def _row(rows, code):
    return next(r for r in rows if r.department.code == code)


@pytest.mark.django_db
def test_rnd_figures_match_the_hand_computed_month(month, org):
    with organization_scope(org.id):
        rows = department_kpis(month_period("2025-03"), tz=SH)
    rnd = _row(rows, "rnd")
    assert (rnd.served, rnd.response_met, rnd.response_total) == (3, 2, 3)
    assert (rnd.resolution_met, rnd.resolution_total) == (1, 3)
    assert (rnd.response_attainment, rnd.resolution_attainment) == (66.7, 33.3)
    assert (rnd.breaches, rnd.subjective, rnd.objective) == (3, 1, 1)
    assert [[a.title for a in i.action_list] for i in rnd.objective_items] == [["补充人手"]]
    marketing = _row(rows, "marketing")
    assert (marketing.served, marketing.response_met, marketing.breaches) == (1, 1, 0)
    with organization_scope(org.id):
        april = department_kpis(month_period("2025-04"), tz=SH)
    assert _row(april, "rnd").served == 0 and _row(april, "rnd").subjective == 0


@pytest.mark.django_db
def test_kpi_page_head_sees_own_department_ops_sees_all(client_for, month, head_rnd, ops):
    page = client_for(head_rnd.user).get(reverse("escalation:kpis"), {"month": "2025-03"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-department="rnd"' in html and 'data-department="marketing"' not in html
    html = client_for(ops.user).get(reverse("escalation:kpis"), {"month": "2025-03"}).content
    assert b'data-department="rnd"' in html and b'data-department="marketing"' in html


@pytest.mark.django_db
def test_kpis_are_refused_to_a_sales_rep_and_never_show_another_organization(
    client_for, api, month, rep, outsider, org
):
    assert client_for(rep.user).get(reverse("escalation:kpis")).status_code == 403
    assert api(rep).get("/api/kpis/").status_code == 403
    with organization_scope(org.id):
        rnd_id = AgendaItem.objects.first().department_id
    assert api(outsider).get(f"/api/kpis/?department={rnd_id}").status_code == 404
    theirs = api(outsider).get("/api/kpis/?period=2025-03").json()["results"]
    assert theirs and all(r["served"] == 0 and r["breaches"] == 0 for r in theirs)


# ---------------------------------------------------------------- query counts


@pytest.mark.django_db
def test_meetings_list_page_runs_a_fixed_number_of_queries(
    client_for, month, ops, django_assert_num_queries
):
    client = client_for(ops.user)
    client.get(reverse("escalation:meetings"))  # warm the session and caches
    with django_assert_num_queries(5):
        assert client.get(reverse("escalation:meetings")).status_code == 200


@pytest.mark.django_db
def test_meeting_detail_page_runs_a_fixed_number_of_queries(
    client_for, month, ops, django_assert_num_queries
):
    client = client_for(ops.user)
    url = reverse("escalation:meeting", args=[month.pk])
    client.get(url)
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_kpi_page_runs_a_fixed_number_of_queries(client_for, month, ops, django_assert_num_queries):
    client = client_for(ops.user)
    client.get(reverse("escalation:kpis"), {"month": "2025-03"})
    with django_assert_num_queries(11):
        assert client.get(reverse("escalation:kpis"), {"month": "2025-03"}).status_code == 200
