"""Lost-deal post-mortem end to end (issue 6): losing a deal for a
collaboration delay, or with breached requests, puts ONE post-mortem item on
the next review meeting; the chair's per-department findings count in the
departments' KPIs; the tenancy trio on the new pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from collab.tenancy import organization_scope
from departments.models import Department
from departments.roles import Role
from departments.tests.factories import member
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import LostReason
from requests_sla.escalation.services import sla_sweep
from requests_sla.meetings import services as meeting_services
from requests_sla.meetings.kpis import department_kpis, month_period
from requests_sla.models import (
    ActionItem,
    AgendaItem,
    MeetingParticipant,
    Notification,
    NotificationDelivery,
    PostMortem,
    PostMortemFinding,
    ReviewMeeting,
)
from requests_sla.tests.factories import file_tech_support, membership_of

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY_9AM = dt.datetime(2025, 3, 3, 9, tzinfo=SH)
TUESDAY_930 = dt.datetime(2025, 3, 4, 9, 30, tzinfo=SH)  # the tech-support answer is late


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(org, teammate):
    made = {
        "rep": membership_of(teammate, org),
        "ops": member(org, role=Role.OPS_MANAGER, department_code="ops_mgmt", username="ops"),
        "head_rnd": member(org, role=Role.DEPT_HEAD, department_code="rnd", username="head-rnd"),
        "head_mkt": member(
            org, role=Role.DEPT_HEAD, department_code="marketing", username="head-mkt"
        ),
    }
    made["ops_m"] = membership_of(made["ops"], org)
    return made


@pytest.fixture
def deal(clock, people, make_account, make_opportunity, teammate):
    account = make_account(teammate, name="华信制造")
    return make_opportunity(account, name="ERP 二期", amount="880000")


def _file_late_request(people, deal, clock, *, sweep=False):
    req = file_tech_support(people["rep"], title="接口参数确认", opportunity_id=deal.pk)
    clock.move_to(TUESDAY_930)
    if sweep:
        sla_sweep()
    return req


def _lose(org, deal, stages, reason, note=""):
    with organization_scope(org.id):
        return opportunities_services.opportunity_move(
            opportunity=deal,
            stage=stages["lost"],
            actor=deal.owner,
            lost_reason=reason,
            lost_note=note,
        )


def _rnd(org):
    return Department.unscoped.get(organization=org, code="rnd")


@pytest.mark.django_db
def test_collaboration_delay_puts_one_item_on_a_meeting_created_at_the_next_working_slot(
    org, people, deal, stages, clock, django_capture_on_commit_callbacks
):
    req = _file_late_request(people, deal, clock)
    with django_capture_on_commit_callbacks() as callbacks:
        _lose(org, deal, stages, LostReason.COLLABORATION_DELAY, note="技术答复晚了三天")
    with organization_scope(org.id):
        meeting = ReviewMeeting.objects.get()
        item = AgendaItem.objects.get()
        pm = PostMortem.objects.get()
        assert (item.meeting_id, item.request_id, pm.agenda_item_id) == (meeting.pk, None, item.pk)
        # No meeting in the window: a new one at 10:00 on the next working day.
        assert meeting.scheduled_at == dt.datetime(2025, 3, 5, 10, tzinfo=SH)
        assert meeting.chair_id == people["ops"].pk
        assert [(r.request_id, r.department_id) for r in pm.late_requests.all()] == [
            (req.pk, _rnd(org).pk)
        ]
        assert pm.late_requests.get().late_minutes > 0
        assert list(pm.findings.values_list("department__code", flat=True)) == ["rnd"]
        assert (pm.trigger, pm.subject_label, pm.reason_note) == (
            "stated",
            "华信制造 · ERP 二期",
            "技术答复晚了三天",
        )
        participants = dict(MeetingParticipant.objects.values_list("user__username", "reason"))
        assert participants.keys() == {"ops", "head-rnd"}  # not the rep, not other heads
        assert participants["head-rnd"] == "postmortem_dept"
        notified = set(
            Notification.objects.filter(kind="meeting").values_list(
                "recipient__username", flat=True
            )
        )
        assert notified == {"ops", "head-rnd"}
        assert NotificationDelivery.objects.filter(notification__kind="meeting").count() == 2
    assert callbacks  # email delivery is enqueued only once the loss commits


@pytest.mark.django_db
def test_an_open_meeting_inside_the_window_gets_the_item(org, people, deal, stages, clock):
    with organization_scope(org.id):
        planned = meeting_services.meeting_schedule(
            actor=people["ops_m"], scheduled_at=dt.datetime(2025, 3, 6, 15, tzinfo=SH)
        )
    _lose(org, deal, stages, LostReason.COLLABORATION_DELAY)
    with organization_scope(org.id):
        assert ReviewMeeting.objects.count() == 1
        assert AgendaItem.objects.get().meeting_id == planned.pk
        # No late request on record: the chair names the departments later.
        assert not PostMortemFinding.objects.exists()


@pytest.mark.django_db
def test_a_breached_linked_request_opens_one_whatever_the_reason(org, people, deal, stages, clock):
    req = _file_late_request(people, deal, clock, sweep=True)
    _lose(org, deal, stages, LostReason.PRICE)
    with organization_scope(org.id):
        pm = PostMortem.objects.get()
        assert pm.trigger == "breached"
        assert list(pm.late_requests.values_list("request_id", flat=True)) == [req.pk]
        # The sweep's agenda item for the request and the post-mortem item.
        assert AgendaItem.objects.filter(meeting=pm.agenda_item.meeting).count() == 2


@pytest.mark.django_db
def test_no_late_request_and_another_reason_opens_none(org, people, deal, stages, clock):
    file_tech_support(people["rep"], title="按时答复", opportunity_id=deal.pk)  # not late
    _lose(org, deal, stages, LostReason.COMPETITOR)
    with organization_scope(org.id):
        assert not PostMortem.objects.exists()
        assert not ReviewMeeting.objects.exists()


@pytest.mark.django_db
def test_a_loss_back_dated_beyond_a_week_is_history_not_a_meeting_item(
    org, people, deal, stages, clock
):
    clock.move_to(dt.datetime(2025, 3, 20, 9, tzinfo=SH))
    with organization_scope(org.id):
        opportunities_services.opportunity_move(
            opportunity=deal,
            stage=stages["lost"],
            actor=deal.owner,
            at=dt.datetime(2025, 3, 10, 9, tzinfo=SH),
            lost_reason=LostReason.COLLABORATION_DELAY,
        )
        assert not PostMortem.objects.exists()


@pytest.mark.django_db
def test_losing_the_deal_twice_keeps_one_item(org, people, deal, stages, clock):
    _file_late_request(people, deal, clock)
    _lose(org, deal, stages, LostReason.COLLABORATION_DELAY)
    with organization_scope(org.id):
        deal.refresh_from_db()
        opportunities_services.opportunity_move(
            opportunity=deal, stage=stages["solution"], actor=deal.owner
        )
        deal.refresh_from_db()
    _lose(org, deal, stages, LostReason.PRICE)
    with organization_scope(org.id):
        assert PostMortem.objects.count() == 1
        assert AgendaItem.objects.count() == 1
        assert PostMortemFinding.objects.count() == 1


def _classify(client, meeting, finding, cause, note=""):
    return client.post(
        reverse("escalation:finding_classify", args=[meeting.pk, finding.pk]),
        {f"f{finding.pk}-root_cause": cause, f"f{finding.pk}-note": note},
    )


@pytest.fixture
def opened(org, people, deal, stages, clock):
    req = _file_late_request(people, deal, clock)
    _lose(org, deal, stages, LostReason.COLLABORATION_DELAY, note="客户等了一周")
    with organization_scope(org.id):
        pm = PostMortem.objects.select_related("agenda_item__meeting").get()
        return req, pm, pm.agenda_item.meeting, pm.findings.get()


@pytest.mark.django_db
def test_meeting_page_shows_the_deal_its_late_requests_and_the_classification_controls(
    client_for, people, opened
):
    req, pm, meeting, finding = opened
    client = client_for(people["ops"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("escalation:meeting", args=[meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "华信制造 · ERP 二期" in html and "¥880,000.00" in html and "客户等了一周" in html
    assert req.reference in html and "研发部" in html
    assert reverse("escalation:finding_classify", args=[meeting.pk, finding.pk]) in html
    assert reverse("escalation:finding_action_add", args=[meeting.pk, finding.pk]) in html
    assert 'value="not_cause"' in html
    minutes = client.get(reverse("escalation:minutes", args=[meeting.pk]))
    assert "华信制造 · ERP 二期" in minutes.content.decode()


@pytest.mark.django_db
def test_subjective_delay_counts_in_rnd_kpis(org, client_for, people, opened):
    _req, pm, meeting, finding = opened
    period = month_period("2025-03")
    with organization_scope(org.id):
        before = {k.department.code: k for k in department_kpis(period)}["rnd"].subjective
    response = _classify(client_for(people["ops"]), meeting, finding, "subjective", "无人跟进")
    assert response.status_code == 302
    with organization_scope(org.id):
        rnd = {k.department.code: k for k in department_kpis(period)}["rnd"]
        pm.refresh_from_db()
    assert rnd.subjective == before + 1
    assert pm.is_concluded


@pytest.mark.django_db
def test_objective_limit_counts_as_objective_with_its_action(org, client_for, people, opened):
    _req, _pm, meeting, finding = opened
    client = client_for(people["ops"])
    assert _classify(client, meeting, finding, "objective", "只有一名售前工程师").status_code == 302
    response = client.post(
        reverse("escalation:finding_action_add", args=[meeting.pk, finding.pk]),
        {
            f"fa{finding.pk}-title": "增设售前支持岗",
            f"fa{finding.pk}-owner": people["head_rnd"].pk,
            f"fa{finding.pk}-due_date": "2025-03-31",
        },
    )
    assert response.status_code == 302
    with organization_scope(org.id):
        rnd = {k.department.code: k for k in department_kpis(month_period("2025-03"))}["rnd"]
        action = ActionItem.objects.get()
    assert (rnd.subjective, rnd.objective) == (0, 1)
    [listed] = rnd.objective_items
    assert [a.title for a in listed.action_list] == ["增设售前支持岗"]
    assert action.finding_id == finding.pk
    kpi_page = client.get(reverse("escalation:kpis") + "?month=2025-03").content.decode()
    assert "增设售前支持岗" in kpi_page


@pytest.mark.django_db
def test_not_the_cause_counts_nowhere(org, client_for, people, opened):
    _req, _pm, meeting, finding = opened
    assert _classify(client_for(people["ops"]), meeting, finding, "not_cause").status_code == 302
    with organization_scope(org.id):
        rnd = {k.department.code: k for k in department_kpis(month_period("2025-03"))}["rnd"]
    assert (rnd.subjective, rnd.objective) == (0, 0)


@pytest.mark.django_db
def test_chair_adds_a_department_the_deal_waited_on(org, client_for, people, deal, stages):
    _lose(org, deal, stages, LostReason.COLLABORATION_DELAY)
    with organization_scope(org.id):
        pm = PostMortem.objects.select_related("agenda_item__meeting").get()
        marketing = Department.objects.get(code="marketing")
    meeting = pm.agenda_item.meeting
    response = client_for(people["ops"]).post(
        reverse("escalation:postmortem_department_add", args=[meeting.pk, pm.pk]),
        {f"pd{pm.pk}-department": marketing.pk},
    )
    assert response.status_code == 302
    with organization_scope(org.id):
        assert list(pm.findings.values_list("department__code", flat=True)) == ["marketing"]
        assert MeetingParticipant.objects.filter(
            meeting=meeting, user=people["head_mkt"], reason="postmortem_dept"
        ).exists()


@pytest.mark.django_db
def test_bad_classification_keeps_the_note_and_says_what_is_wrong(client_for, people, opened):
    _req, _pm, meeting, finding = opened
    response = _classify(client_for(people["ops"]), meeting, finding, "", "等了一周")
    assert response.status_code == 400
    assert "等了一周" in response.content.decode()


@pytest.mark.django_db
def test_department_head_sees_the_item_but_cannot_classify(client_for, people, opened):
    _req, _pm, meeting, finding = opened
    client = client_for(people["head_rnd"])
    assert client.get(reverse("escalation:meeting", args=[meeting.pk])).status_code == 200
    assert _classify(client, meeting, finding, "subjective").status_code == 403


@pytest.mark.django_db
def test_opportunity_page_shows_the_status_and_links_to_the_meeting_item(
    client_for, people, opened, deal, teammate
):
    _req, pm, meeting, _finding = opened
    url = reverse("pipeline:opportunity_detail", args=[deal.pk])
    link = f"{reverse('escalation:meeting', args=[meeting.pk])}#item-{pm.agenda_item_id}"
    ops_page = client_for(people["ops"]).get(url).content.decode()
    assert 'id="postmortem"' in ops_page and link in ops_page
    rep_page = client_for(teammate).get(url).content.decode()
    assert 'id="postmortem"' in rep_page and link not in rep_page  # reps do not see meetings


@pytest.mark.django_db
def test_outsider_gets_404_on_every_postmortem_page_and_lists_stay_clean(
    client_for, people, opened, other_org, deal
):
    _req, pm, meeting, finding = opened
    ops_other = member(
        other_org, role=Role.OPS_MANAGER, department_code="ops_mgmt", username="ops-other"
    )
    client = client_for(ops_other)
    for url in (
        reverse("escalation:meeting", args=[meeting.pk]),
        reverse("pipeline:opportunity_detail", args=[deal.pk]),
    ):
        assert client.get(url).status_code == 404
    for url in (
        reverse("escalation:finding_classify", args=[meeting.pk, finding.pk]),
        reverse("escalation:finding_action_add", args=[meeting.pk, finding.pk]),
        reverse("escalation:postmortem_department_add", args=[meeting.pk, pm.pk]),
    ):
        assert client.post(url).status_code == 404
    assert (
        f"/meetings/{meeting.pk}/"
        not in client.get(reverse("escalation:meetings")).content.decode()
    )
    kpis = client.get(reverse("escalation:kpis") + "?month=2025-03").content.decode()
    assert "华信制造" not in kpis


@pytest.mark.django_db
def test_a_finding_of_another_meeting_is_404_through_this_one(org, client_for, people, opened):
    _req, _pm, meeting, finding = opened
    with organization_scope(org.id):
        other = meeting_services.meeting_schedule(
            actor=people["ops_m"], scheduled_at=dt.datetime(2025, 3, 20, 15, tzinfo=SH)
        )
    assert _classify(client_for(people["ops"]), other, finding, "subjective").status_code == 404
    with organization_scope(org.id):
        assert PostMortemFinding.objects.get().root_cause == ""
