"""The post-mortem service on its own (no pipeline): what goes on the item,
idempotency per source, and how findings count in the department KPIs."""

import datetime as dt

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.meetings.kpis import department_kpis, month_period
from requests_sla.meetings.models import AgendaItem, PostMortem, PostMortemFinding
from requests_sla.meetings.postmortems import postmortem_finding_classify, postmortem_open
from requests_sla.notifications.models import Notification
from requests_sla.tests.factories import file_tech_support

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def late_and_on_time(frozen, org, rep, head_rnd, ops):
    late = file_tech_support(rep, title="晚了")
    frozen.move_to(dt.datetime(2025, 3, 4, 9, 30, tzinfo=SH))
    on_time = file_tech_support(rep, title="刚提交")
    return late, on_time


def _open(org, rep, ids, source="test:1", **kwargs):
    return postmortem_open(
        organization=org,
        actor=rep,
        source_ref=source,
        subject_label="丢单",
        late_request_ids=ids,
        **kwargs,
    )


@pytest.mark.django_db
def test_only_late_requests_are_listed_and_one_item_per_source(org, rep, late_and_on_time):
    late, on_time = late_and_on_time
    pm, created = _open(org, rep, [late.pk, on_time.pk])
    again, created_again = _open(org, rep, [late.pk], stated_delay=True)
    with organization_scope(org.id):
        assert (created, created_again, again.pk) == (True, False, pm.pk)
        assert list(pm.late_requests.values_list("request_id", flat=True)) == [late.pk]
        assert AgendaItem.objects.filter(request__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_late_departments_heads_are_told_with_a_link_to_the_meeting(
    org, rep, head_rnd, late_and_on_time
):
    late, _on_time = late_and_on_time
    pm, _created = _open(org, rep, [late.pk])
    with organization_scope(org.id):
        notice = Notification.objects.get(recipient=head_rnd.user, kind="meeting")
        meeting_id = pm.agenda_item.meeting_id
    assert notice.kind == "meeting" and notice.request_id is None
    assert notice.link == f"/meetings/{meeting_id}/" and "丢单" in notice.text


@pytest.mark.django_db
def test_nothing_late_and_no_stated_delay_is_refused(org, rep, late_and_on_time):
    _late, on_time = late_and_on_time
    with pytest.raises(ServiceError):
        _open(org, rep, [on_time.pk])
    with organization_scope(org.id):
        assert not PostMortem.objects.exists()


@pytest.mark.django_db
def test_findings_count_per_department_in_the_kpis(org, rep, ops, late_and_on_time):
    late, _on_time = late_and_on_time
    _open(org, rep, [late.pk])
    with organization_scope(org.id):
        finding = PostMortemFinding.objects.get()
    postmortem_finding_classify(actor=ops, finding=finding, root_cause="subjective")
    with organization_scope(org.id):
        rows = {k.department.code: k for k in department_kpis(month_period("2025-03"))}
    assert (rows["rnd"].subjective, rows["rnd"].objective) == (1, 0)
    assert rows["marketing"].subjective == 0


@pytest.mark.django_db
def test_a_source_longer_than_the_column_still_finds_its_post_mortem(org, rep, late_and_on_time):
    late, _on_time = late_and_on_time
    source = "pipeline.opportunity:" + "9" * 100
    pm, created = _open(org, rep, [late.pk], source=source)
    again, created_again = _open(org, rep, [late.pk], source=source)
    assert (created, created_again, again.pk) == (True, False, pm.pk)
