"""The SLA dashboard's figures against a hand-computed week (issue 5).

R&D's tech-support type is set to calendar-hour targets (response 2 h,
resolution 10 h) so business minutes are wall-clock minutes and every figure
can be computed by hand. T0 = Monday 3 March 2025, 09:00 Shanghai; the clock
stands at T0 + 7 days + 1 hour. Six requests, all from Business to R&D:

    A  start +1h, resolve +5h              response met 60,  resolution met 300
    B  start +3h, resolve +12h             response breached (stopped 180, 60 late),
                                           resolution breached then met late (720, 120 late)
    C  start +1h, pause +2h..+6h, resolve +11h
                                           response met 60, resolution met 420 (4 h paused;
                                           without the pause it would have breached)
    D  start +0.5h, resolve +4h, reopen +24h, resolve +29h
                                           response met 30, resolution met 540 (decided +29h)
    E  never touched                       response and resolution breached, still open
    F  cancelled +1h                       neither timer counts

Response: decided 5, met 3, breached 2 → 60 %; stopped 30, 60, 60, 180 →
median 60, p90 60 + 0.7 × 120 = 144. Resolution: decided 5, met 3, breached
2 → 60 %; stopped 300, 420, 540, 720 → median 480, p90 540 + 0.7 × 180 = 666.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.utils.html import escape
from openpyxl import load_workbook

from collab.tenancy import organization_scope
from departments.roles import Role
from requests_sla.catalog.models import RequestType
from requests_sla.reporting.drilldown import drilldown
from requests_sla.reporting.filters import parse_filters
from requests_sla.reporting.selectors import dashboard
from requests_sla.requests import services as request_services
from requests_sla.sla.models import SlaOutcome
from requests_sla.sla.outcomes import outcomes_rebuild
from requests_sla.tests.factories import department, file_tech_support, person

T0 = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(days=7, hours=1)
WEEK = {"period": "custom", "start": "2025-03-03", "end": "2025-03-09"}
H = dt.timedelta(hours=1)


@pytest.fixture
def week(org, rep, head_rnd, dev_rnd):
    RequestType.unscoped.filter(organization=org, code="rnd_tech_support").update(
        sla_targets={
            "normal": {
                "response": {"unit": "calendar_hours", "amount": 2},
                "resolution": {"unit": "calendar_hours", "amount": 10},
            }
        },
        priorities=["normal"],
    )
    with time_machine.travel(NOW, tick=False):
        a, b, c, d, e, f = (file_tech_support(rep, at=T0, title=t) for t in "ABCDEF")
        with organization_scope(org.id):
            request_services.request_start(request=a, actor=dev_rnd, at=T0 + 1 * H)
            request_services.request_resolve(request=a, actor=dev_rnd, at=T0 + 5 * H)
            request_services.request_start(request=b, actor=dev_rnd, at=T0 + 3 * H)
            request_services.request_resolve(request=b, actor=dev_rnd, at=T0 + 12 * H)
            request_services.request_start(request=c, actor=dev_rnd, at=T0 + 1 * H)
            request_services.request_pause(
                request=c, actor=dev_rnd, reason="need logs", at=T0 + 2 * H
            )
            request_services.comment_add(request=c, actor=rep, body="logs attached", at=T0 + 6 * H)
            request_services.request_resolve(request=c, actor=dev_rnd, at=T0 + 11 * H)
            request_services.request_start(
                request=d, actor=dev_rnd, at=T0 + dt.timedelta(minutes=30)
            )
            request_services.request_resolve(request=d, actor=dev_rnd, at=T0 + 4 * H)
            request_services.request_reopen(
                request=d, actor=rep, reason="still broken", at=T0 + 24 * H
            )
            request_services.request_resolve(request=d, actor=dev_rnd, at=T0 + 29 * H)
            request_services.request_cancel(request=f, actor=rep, reason="duplicate", at=T0 + 1 * H)
        yield {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}


def _board(org, membership, params):
    with time_machine.travel(NOW, tick=False), organization_scope(org.id):
        return dashboard(parse_filters(params, membership))


def test_attainment_breaches_and_percentiles_match_the_hand_computed_week(org, ops, week):
    d = _board(org, ops, WEEK)
    response, resolution = d.kinds["response"], d.kinds["resolution"]
    assert (response.decided, response.met, response.breached) == (5, 3, 2)
    assert response.attainment == pytest.approx(0.6)
    assert (response.p50_minutes, response.p90_minutes) == (60, pytest.approx(144))
    assert (resolution.decided, resolution.met, resolution.breached) == (5, 3, 2)
    assert resolution.attainment == pytest.approx(0.6)
    assert (resolution.p50_minutes, resolution.p90_minutes) == (480, pytest.approx(666))
    assert resolution.stopped == 4


def test_backlog_live_list_matrix_and_trend_of_the_week(org, ops, week):
    d = _board(org, ops, WEEK)
    assert (d.open_total, d.open_breached, d.open_at_risk) == (1, 1, 0)
    assert d.backlog["d7"] == 1 and sum(d.backlog.values()) == 1
    assert [r.title for r in d.live] == ["E"]
    business, rnd = department(org, "business"), department(org, "rnd")
    cell = d.matrix[(business.pk, rnd.pk)]
    assert (cell.decided, cell.met, cell.breached) == (10, 6, 4)
    assert cell.mean_late_minutes == 90  # B: 60 late to respond, 120 late to resolve
    monday = next(w for w in d.trend if w.week == dt.date(2025, 3, 3))
    assert (monday.filed, monday.response_decided, monday.response_met) == (6, 5, 3)
    assert sum(w.filed for w in d.trend) == 6


def test_a_reopened_request_is_decided_when_it_is_resolved_again(org, ops, week):
    with time_machine.travel(NOW, tick=False), organization_scope(org.id):
        row = SlaOutcome.objects.get(request=week["D"], kind="resolution")
    assert (row.decided_at, row.met, row.elapsed_minutes) == (T0 + 29 * H, True, 540)


def test_a_request_met_late_counts_as_a_breach_when_it_breached(org, ops, week):
    with time_machine.travel(NOW, tick=False), organization_scope(org.id):
        row = SlaOutcome.objects.get(request=week["B"], kind="resolution")
    assert (row.decided_at, row.stopped_at, row.breached, row.late_minutes) == (
        T0 + 10 * H,
        T0 + 12 * H,
        True,
        120,
    )


def test_an_empty_period_shows_no_attainment_rather_than_zero(org, ops, week):
    d = _board(org, ops, {"period": "custom", "start": "2025-02-01", "end": "2025-02-07"})
    assert d.kinds["response"].decided == 0
    assert d.kinds["response"].attainment is None
    assert d.kinds["response"].p50_minutes is None
    assert d.matrix == {}


def test_the_previous_period_is_compared(org, ops, week):
    d = _board(org, ops, {"period": "custom", "start": "2025-03-10", "end": "2025-03-16"})
    assert d.previous.start == dt.date(2025, 3, 3)
    assert d.kinds["response"].prev_decided == 5 and d.kinds["response"].prev_met == 3


def test_filters_narrow_every_figure(org, ops, week):
    d = _board(org, ops, {**WEEK, "priority": "high"})
    assert d.kinds["response"].decided == 0 and d.open_total == 0
    d = _board(org, ops, {**WEEK, "requesting": str(department(org, "rnd").pk)})
    assert d.kinds["resolution"].decided == 0


def test_rebuilding_the_summary_changes_nothing(org, ops, week):
    before = _board(org, ops, WEEK).kinds["resolution"]
    with organization_scope(org.id):
        SlaOutcome.objects.filter(request=week["A"]).delete()
        outcomes_rebuild(org.id)
        outcomes_rebuild(org.id)
    after = _board(org, ops, WEEK).kinds["resolution"]
    assert (after.decided, after.met, after.p50_minutes) == (
        before.decided,
        before.met,
        before.p50_minutes,
    )


@pytest.mark.parametrize(
    ("bucket", "kind", "titles"),
    [
        ("met", "response", {"A", "C", "D"}),
        ("breached", "resolution", {"B", "E"}),
        ("decided", "response", {"A", "B", "C", "D", "E"}),
        ("breached_open", "", {"E"}),
        ("filed", "", {"A", "B", "C", "D", "E", "F"}),
    ],
)
def test_drilldown_lists_the_requests_behind_a_figure(org, ops, week, bucket, kind, titles):
    params = {**WEEK, "bucket": bucket, "kind": kind, "week": "2025-03-03"}
    with time_machine.travel(NOW, tick=False), organization_scope(org.id):
        requests = drilldown(parse_filters(params, ops), params)
        assert {r.title for r in requests} == titles


def test_pages_show_the_figures_and_the_formula(org, ops, week, client_for):
    client = client_for(ops.user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/dashboard/", WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="response-attainment">60.0%' in html
    assert "÷" in html
    with time_machine.travel(NOW, tick=False):
        listing = client.get(
            "/dashboard/requests/", {**WEEK, "bucket": "breached", "kind": "resolution"}
        )
    assert listing.status_code == 200 and "REQ-" in listing.content.decode()


def test_exports_open_in_excel_and_match_the_page(org, ops, week, client_for):
    client = client_for(ops.user)
    with time_machine.travel(NOW, tick=False):
        xlsx = client.get("/dashboard/export/summary.xlsx", WEEK)
        csv = client.get("/dashboard/export/matrix.csv", WEEK)
        drill = client.get("/dashboard/requests/", {**WEEK, "bucket": "decided", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] in ("时限", "Target") and "%" in rows[0][4]  # headers in the user's language
    assert [r[1:5] for r in rows[1:]] == [(5, 3, 2, 60.0), (5, 3, 2, 60.0)]
    assert (rows[1][7], rows[1][8]) == (1.0, 2.4)  # 60 and 144 minutes in hours
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert ",10,6,4,60.0,1.5\r\n" in csv.content.decode(
        "utf-8-sig"
    )  # Business → R&D, as on the page
    assert len(list(load_workbook(io.BytesIO(drill.content)).active.iter_rows())) == 1 + 5


def test_bad_input_is_reported_not_a_500(org, ops, client_for):
    client = client_for(ops.user)
    response = client.get(
        "/dashboard/", {"period": "custom", "start": "yesterday", "end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()
    assert client.get("/dashboard/", {"serving": "abc", "priority": "nope"}).status_code == 200
    assert client.get("/dashboard/export/nope.csv").status_code == 404
    assert client.get("/dashboard/export/summary.pdf").status_code == 404
    assert client.get("/dashboard/requests/", {"bucket": "nope"}).status_code == 200


def test_the_api_returns_the_same_figures(org, ops, week, api):
    with time_machine.travel(NOW, tick=False):
        response = api(ops).get("/api/dashboard/", WEEK)
    assert response.status_code == 200
    body = response.json()
    assert body["attainment"]["response"]["met"] == 3
    assert body["attainment"]["resolution"]["p90_business_minutes"] == pytest.approx(666)
    assert body["open"] == {"total": 1, "at_risk": 0, "breached": 1}


def test_query_count_does_not_grow_with_the_data(
    org, ops, rep, week, client_for, django_assert_num_queries
):
    client = client_for(ops.user)
    client.get("/dashboard/", WEEK)  # warm the session and caches
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(QUERIES):
        client.get("/dashboard/", WEEK)
    with time_machine.travel(NOW, tick=False):
        for i in range(5):
            file_tech_support(rep, at=T0 + i * H, title=f"more {i}")
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(QUERIES):
        client.get("/dashboard/", WEEK)


# user, membership (the session comes from the cache), then: decided
# (rollup), stopped (percentiles), trend (outcomes and volume in one read),
# backlog, live list, departments, request types, meetings of the period, the
# header's notification badge.
QUERIES = 11
SCORECARD_QUERIES = 10  # user and membership, department_kpis (7), the badge


def test_scorecards_load_by_themselves_in_a_fixed_number_of_queries(
    org, ops, rep, week, client_for, django_assert_num_queries
):
    client = client_for(ops.user)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/", WEEK).content.decode()
    assert (
        'hx-get="/dashboard/scorecards/?' in page
        and 'hx-trigger="revealed, toggle from:closest details"' in page
    )
    client.get("/dashboard/scorecards/", WEEK)  # warm the session
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(SCORECARD_QUERIES):
        response = client.get("/dashboard/scorecards/", WEEK)
    rnd = department(org, "rnd")
    assert response.status_code == 200 and escape(rnd.name) in response.content.decode()
    with time_machine.travel(NOW, tick=False):
        for i in range(5):
            file_tech_support(rep, at=T0 + i * H, title=f"more {i}")
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(SCORECARD_QUERIES):
        client.get("/dashboard/scorecards/", WEEK)
    assert client_for(rep.user).get("/dashboard/scorecards/", WEEK).status_code == 403


def test_meetings_of_the_period_are_listed_with_their_item_counts(
    org, ops, week, client_for, django_assert_num_queries
):
    from requests_sla.meetings.models import AgendaItem, ReviewMeeting

    rnd = department(org, "rnd")
    with organization_scope(org.id):
        held = ReviewMeeting.objects.create(
            organization=org, title="Week review", scheduled_at=T0 + 50 * H
        )
        for title in "BE":
            AgendaItem.objects.create(
                organization=org, meeting=held, request=week[title], department=rnd
            )
        ReviewMeeting.objects.create(
            organization=org, title="Last month", scheduled_at=T0 - dt.timedelta(days=20)
        )
    client = client_for(ops.user)
    with time_machine.travel(NOW, tick=False):
        html = client.get("/dashboard/", WEEK).content.decode()
        other = client.get("/dashboard/", {**WEEK, "serving": department(org, "finance").pk})
    assert f'href="/meetings/{held.pk}/"' in html and "Week review" in html
    assert 'data-figure="meeting-items">2<' in html
    assert "Last month" not in html
    assert "Week review" not in other.content.decode()  # it discussed R&D only
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(QUERIES):
        client.get("/dashboard/", WEEK)


def test_the_rollups_the_triggers_keep_equal_a_rebuild_from_scratch(org, ops, week):
    from requests_sla.reporting.models import RequestDay, SlaOutcomeDay, SlaStoppedMonth
    from requests_sla.reporting.services import rollups_rebuild

    def snapshot():
        with organization_scope(org.id):
            return (
                sorted(
                    SlaOutcomeDay.objects.exclude(decided=0, met=0, breached=0).values_list(
                        "fine",
                        "day",
                        "kind",
                        "serving_department_id",
                        "requesting_department_id",
                        "request_type_id",
                        "priority",
                        "decided",
                        "met",
                        "breached",
                        "late_minutes",
                        "late_count",
                    )
                ),
                sorted(
                    RequestDay.objects.exclude(filed=0).values_list(
                        "fine", "day", "serving_department_id", "request_type_id", "filed"
                    )
                ),
                sorted(
                    SlaStoppedMonth.objects.exclude(stopped=0).values_list(
                        "month", "kind", "elapsed_minutes", "stopped"
                    )
                ),
            )

    with organization_scope(org.id):
        SlaOutcome.objects.filter(request=week["A"]).delete()  # a delete, then the upserts
        outcomes_rebuild(org.id)
    kept = snapshot()
    assert sum(r[7] for r in kept[0] if not r[0]) == 10  # 5 response + 5 resolution
    assert sum(r[3] for r in kept[2]) == 8  # stopped: A–D, response and resolution
    with organization_scope(org.id):
        rollups_rebuild(org.id)
    assert snapshot() == kept


@pytest.mark.parametrize(
    "start, end",
    [
        ("2025-03-01", "2025-03-31"),  # a whole month: the monthly histogram alone
        ("2025-02-10", "2025-04-20"),  # March whole, plus days either side
        ("2025-03-03", "2025-04-30"),  # April whole (empty), March's days from outcomes
    ],
)
def test_whole_months_read_the_histogram_and_give_the_same_percentiles(org, ops, week, start, end):
    from requests_sla.reporting.models import SlaStoppedMonth

    with organization_scope(org.id):
        assert SlaStoppedMonth.objects.filter(month=dt.date(2025, 3, 1)).exists()
    d = _board(org, ops, {"period": "custom", "start": start, "end": end})
    response, resolution = d.kinds["response"], d.kinds["resolution"]
    assert (response.stopped, response.p50_minutes, response.p90_minutes) == (
        4,
        60,
        pytest.approx(144),
    )
    assert (resolution.stopped, resolution.p50_minutes, resolution.p90_minutes) == (
        4,
        480,
        pytest.approx(666),
    )


def test_backlog_buckets_and_urgency_equal_one_count_per_figure(org, ops, rep, week):
    """The grouped backlog read against the plain definition of each figure
    (``age_q``, ``urgent_q``, ``breached_q``), over requests in every age
    bucket, every cached state, with and without a due time."""
    from django.db.models import Count

    from requests_sla.reporting.backlog import (
        AGE_BUCKETS,
        age_q,
        backlog_counts,
        breached_q,
        open_requests,
        urgent_q,
    )
    from requests_sla.requests.models import Request

    states = ["on_track", "at_risk", "breached", ""]
    with time_machine.travel(NOW, tick=False):
        for i, days in enumerate((0.5, 2, 5, 10, 20, 40, -1)):  # -1: filed after "now"
            for j, state in enumerate(states):
                r = file_tech_support(rep, title=f"b{i}{j}")
                Request.unscoped.filter(pk=r.pk).update(
                    created_at=NOW - dt.timedelta(days=days),
                    sla_state=state,
                    sla_due_at=[None, NOW - H, NOW + H][(i + j) % 3],
                )
        with organization_scope(org.id):
            filters = parse_filters(WEEK, ops)
            expected = open_requests(filters).aggregate(
                **{key: Count("pk", filter=age_q(key, NOW)) for key, _, _ in AGE_BUCKETS},
                total=Count("pk"),
                at_risk=Count("pk", filter=urgent_q(NOW) & ~breached_q(NOW)),
                breached=Count("pk", filter=breached_q(NOW)),
            )
            assert backlog_counts(filters, NOW) == expected
    assert expected["total"] == 1 + 7 * 4 and min(expected.values()) > 0


def test_percentile_of_a_histogram_is_postgresqls_percentile_cont(db):
    import random

    from django.db import connection

    from requests_sla.reporting.selectors import percentile_cont

    rng = random.Random(5)
    for _ in range(50):
        values = [rng.randint(0, 40) for _ in range(rng.randint(1, 60))]
        histogram = sorted({v: values.count(v) for v in values}.items())
        for fraction in (0.5, 0.9, 0.25, 0.99):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s) v",
                    [fraction, values],
                )
                expected = cursor.fetchone()[0]
            assert percentile_cont(histogram, len(values), fraction) == expected  # the same float
    assert percentile_cont([], 0, 0.5) is None


def test_a_sales_rep_may_not_see_the_dashboard(org, rep, client_for):
    assert client_for(rep.user).get("/dashboard/").status_code == 403


def test_a_department_head_sees_only_their_department(org, ops, week, client_for):
    head_mkt = person(org, Role.DEPT_HEAD, "marketing", "head-mkt2")
    d = _board(org, head_mkt, WEEK)
    assert d.kinds["response"].decided == 0 and d.live == []
    # Asking for another department does not widen the scope.
    d = _board(org, head_mkt, {**WEEK, "serving": str(department(org, "rnd").pk)})
    assert d.filters.serving == department(org, "marketing").pk and d.open_total == 0
    head_rnd = person(org, Role.DEPT_HEAD, "rnd", "head-rnd2")
    assert _board(org, head_rnd, WEEK).kinds["response"].decided == 5
    # The form offers only their department's request types.
    with time_machine.travel(NOW, tick=False):
        html = client_for(head_rnd.user).get("/dashboard/", WEEK).content.decode()
    types = html.split('<select name="request_type">')[1].split("</select>")[0]
    rnd_types = RequestType.unscoped.filter(
        organization=org, serving_department=department(org, "rnd")
    )
    assert (
        types.count("<option")
        == 1 + rnd_types.count()
        < 1 + RequestType.unscoped.filter(organization=org).count()
    )
    assert '<select name="serving" disabled>' in html


def test_an_outsider_sees_none_of_the_organizations_figures(org, week, outsider, client_for):
    client = client_for(outsider)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard/", WEEK)
        foreign = client.get("/dashboard/", {**WEEK, "serving": department(org, "rnd").pk})
        drill = client.get(
            "/dashboard/requests/", {**WEEK, "bucket": "filed", "week": "2025-03-03"}
        )
    assert page.status_code == 200
    assert 'data-figure="response-attainment">—' in page.content.decode()
    assert foreign.status_code == 404
    assert "REQ-" not in drill.content.decode()
