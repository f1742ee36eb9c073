"""The pages: the tenancy trio, the rep-visibility rule, bad input, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from collab.tenancy import organization_scope
from incentives.payouts import services as payouts
from incentives.payouts.models import PayoutRun, RunState
from incentives.sprints import services
from incentives.sprints.models import Target
from incentives.tests.helpers import won

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(hr, sprint, rep, rep2):
    for m in (rep, rep2):
        services.target_set(
            actor=hr, sprint=sprint, measure="won", amount=Decimal("100000"), user_id=m.user_id
        )


@pytest.fixture
def run(org, hr, sprint, rep, rep2, targets):
    won(org, rep, "123456.78", name="华东电力")
    won(org, rep2, "20000", name="西南物流")
    return payouts.payout_compute(actor=hr, sprint=sprint)


def test_hr_sees_the_sprint_with_progress_and_forms(client_for, hr, sprint, targets, org, rep):
    won(org, rep, "50000")
    response = client_for(hr.user).get(reverse("incentives:sprint", args=[sprint.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "50.0%" in body and 'id="target-form"' in body and 'hx-trigger="every 30s"' in body


def test_the_progress_fragment_is_served_alone(client_for, rep, sprint):
    response = client_for(rep.user).get(reverse("incentives:progress", args=[sprint.pk]))
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="leaderboard"' in response.content


def test_a_rep_sees_the_sprint_they_are_in_but_not_the_manager_forms(client_for, rep, sprint):
    response = client_for(rep.user).get(reverse("incentives:sprint", args=[sprint.pk]))
    assert response.status_code == 200
    assert b'id="mine"' in response.content and b'id="target-form"' not in response.content


def test_a_rep_outside_the_sprint_gets_a_404(client_for, org, sprint):
    from requests_sla.tests.factories import person

    other_rep = person(org, "sales_rep", "business", "rep3")
    response = client_for(other_rep.user).get(reverse("incentives:sprint", args=[sprint.pk]))
    assert response.status_code == 404


def test_an_outsider_gets_a_404_on_the_sprint_and_the_run(client_for, outsider, sprint, run):
    client = client_for(outsider)
    assert client.get(reverse("incentives:sprint", args=[sprint.pk])).status_code == 404
    assert client.get(reverse("incentives:run", args=[run.pk])).status_code == 404
    assert sprint.name not in client.get(reverse("incentives:sprints")).content.decode()


def test_a_rep_cannot_read_another_reps_commission_on_the_run_page(client_for, rep, rep2, run):
    body = client_for(rep.user).get(reverse("incentives:run", args=[run.pk])).content.decode()
    assert "华东电力" in body
    assert "西南物流" not in body and f'id="payout-{rep2.user_id}"' not in body
    assert 'id="run-total"' not in body


def test_the_why_of_a_commission_lists_each_deal_tier_and_rate(client_for, hr, run):
    body = client_for(hr.user).get(reverse("incentives:run", args=[run.pk])).content.decode()
    # 100,000 at 3% = 3,000.00; 23,456.78 at 5% = 1,172.84 (half up)
    assert "3,000.00" in body and "1,172.84" in body and "100%–∞" in body


def test_a_rep_cannot_post_a_target(client_for, rep, sprint, org):
    response = client_for(rep.user).post(
        reverse("incentives:target_set", args=[sprint.pk]),
        {"who": f"u{rep.user_id}", "measure": "won", "amount": "1"},
    )
    assert response.status_code == 403
    with organization_scope(org.id):
        assert not Target.objects.exists()


def test_bad_target_input_is_a_message_not_a_500(client_for, hr, sprint, org):
    response = client_for(hr.user).post(
        reverse("incentives:target_set", args=[sprint.pk]),
        {"who": "u999999", "measure": "won", "amount": "1e400"},
        follow=True,
    )
    assert response.status_code == 200
    with organization_scope(org.id):
        assert not Target.objects.exists()


def test_a_target_on_a_user_outside_the_sprint_is_refused_on_the_page(
    client_for, hr, sprint, head_fin, org
):
    response = client_for(hr.user).post(
        reverse("incentives:target_set", args=[sprint.pk]),
        {"who": f"u{head_fin.user_id}", "measure": "won", "amount": "100"},
        follow=True,
    )
    assert "is not in the sprint" in response.content.decode()
    with organization_scope(org.id):
        assert not Target.objects.exists()


def test_the_run_goes_from_hr_to_its_chain_and_freezes(client_for, hr, head_fin, run, org):
    client_for(hr.user).post(reverse("incentives:run_submit", args=[run.pk]))
    body = client_for(head_fin.user).get(reverse("incentives:run", args=[run.pk])).content.decode()
    assert 'id="approval-chain"' in body and 'id="approve"' in body
    client_for(hr.user).post(reverse("incentives:run_approve", args=[run.pk]))  # not their step
    with organization_scope(org.id):
        assert PayoutRun.objects.get(pk=run.pk).state == RunState.SUBMITTED
    client_for(head_fin.user).post(reverse("incentives:run_approve", args=[run.pk]))
    with organization_scope(org.id):
        assert PayoutRun.objects.get(pk=run.pk).state == RunState.APPROVED


def test_a_sent_back_run_is_a_draft_showing_the_reason(client_for, hr, head_fin, run, org):
    client_for(hr.user).post(reverse("incentives:run_submit", args=[run.pk]))
    client_for(head_fin.user).post(
        reverse("incentives:run_decide", args=[run.pk]),
        {"action": "send_back", "reason": "请核对华东电力的回款"},
    )
    body = client_for(hr.user).get(reverse("incentives:run", args=[run.pk])).content.decode()
    assert 'id="approval-note"' in body and "请核对华东电力的回款" in body
    with organization_scope(org.id):
        assert PayoutRun.objects.get(pk=run.pk).state == RunState.DRAFT


def test_a_rejection_without_a_reason_is_refused(client_for, hr, head_fin, run, org):
    client_for(hr.user).post(reverse("incentives:run_submit", args=[run.pk]))
    for data in ({"action": "reject", "reason": ""}, {"action": "bogus"}):
        client_for(head_fin.user).post(reverse("incentives:run_decide", args=[run.pk]), data)
    with organization_scope(org.id):
        assert PayoutRun.objects.get(pk=run.pk).state == RunState.SUBMITTED


def test_the_export_is_an_xlsx(client_for, hr, sprint, targets):
    response = client_for(hr.user).get(reverse("incentives:export", args=[sprint.pk]))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_the_sprint_list_and_create(client_for, hr, org, today):
    client = client_for(hr.user)
    response = client.post(
        reverse("incentives:sprint_create"),
        {
            "name": "Q1 冲刺",
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=90)).isoformat(),
            "ranking_measure": "won",
        },
    )
    assert response.status_code == 302
    assert "Q1 冲刺" in client.get(reverse("incentives:sprints")).content.decode()


def test_the_plans_page_refuses_overlapping_tiers(client_for, hr, plan, org, today):
    response = client_for(hr.user).post(
        reverse("incentives:version_add", args=[plan.pk]),
        {"effective_from": today.isoformat(), "tiers": "0-120:3\n100-:5"},
        follow=True,
    )
    assert "Overlapping tiers" in response.content.decode()


def test_sprint_page_queries_do_not_grow_with_reps(
    client_for, hr, sprint, team, targets, org, django_assert_max_num_queries
):
    client = client_for(hr.user)
    url = reverse("incentives:progress", args=[sprint.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    from requests_sla.tests.factories import person

    for i in range(5):
        extra = person(org, "sales_rep", "business", f"extra{i}")
        services.member_add(actor=hr, sprint=sprint, team=team, user_id=extra.user_id)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_query_counts_of_the_list_pages_are_locked(
    client_for, hr, rep, sprint, run, django_assert_num_queries
):
    client = client_for(hr.user)
    pages = [
        (reverse("incentives:sprints"), QUERIES["sprints"]),
        (reverse("incentives:progress", args=[sprint.pk]), QUERIES["progress"]),
        (reverse("incentives:sprint", args=[sprint.pk]), QUERIES["sprint"]),
        (reverse("incentives:run", args=[run.pk]), QUERIES["run"]),
    ]
    for url, _n in pages:
        client.get(url)  # warm the per-process caches (calendar, navigation)
    for url, n in pages:
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200


def test_the_query_count_of_a_submitted_run_page_is_locked(
    client_for, hr, head_fin, run, django_assert_num_queries
):
    payouts.payout_submit(actor=hr, run=run)
    client = client_for(head_fin.user)
    url = reverse("incentives:run", args=[run.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES["run"] + 1):  # + the chain's steps
        assert "Finance head" in client.get(url).content.decode()


# Session, user, membership and navigation included; the figures are two
# queries whatever the number of reps (see the test above): the members with
# their targets, won, collected, forecast (rollups) and new accounts in one,
# the teams' targets in the other (four aggregates over deals and payments
# before the rollups: 11 and 18; members, targets and two aggregates after
# them: 9 and 16); a sprint with a product-mix focus adds the mix's read. The
# sprint page reads the sprint with its plan, and the bundles a product mix
# may name (its form).
QUERIES = {"sprints": 6, "progress": 7, "sprint": 14, "run": 7}


def test_plans_trio_owner_rep_outsider(client_for, hr, rep, outsider, plan, org, today):
    assert client_for(hr.user).get(reverse("incentives:plans")).status_code == 200
    assert client_for(rep.user).get(reverse("incentives:plans")).status_code == 403
    response = client_for(outsider).post(
        reverse("incentives:version_add", args=[plan.pk]),
        {"effective_from": today.isoformat(), "tiers": "0-:9"},
    )
    assert response.status_code == 404
    with organization_scope(org.id):
        assert plan.versions.count() == 1


def test_an_outsider_cannot_compute_or_approve(client_for, outsider, sprint, run):
    client = client_for(outsider)
    assert client.post(reverse("incentives:run_compute", args=[sprint.pk])).status_code == 404
    assert client.post(reverse("incentives:run_approve", args=[run.pk])).status_code == 404
    assert client.post(reverse("incentives:run_decide", args=[run.pk])).status_code == 404


def test_the_sprint_shows_its_reservation_reserved_vs_paid_out(
    client_for, hr, head_fin, rep, sprint, run, org, today
):
    from finance.budgets.services import budget_set, reservation_make

    budget = budget_set(
        actor=head_fin, department=rep.department, period_start=today, amount=Decimal("100000")
    )
    line = reservation_make(
        actor=head_fin, budget_id=budget.pk, amount=Decimal("30000"), label="Q4 冲刺奖金"
    )
    services.sprint_link_reservation(actor=hr, sprint=sprint, line_id=line.pk)
    payouts.payout_submit(actor=hr, run=run)
    payouts.payout_approve(actor=head_fin, run=run)
    body = client_for(hr.user).get(reverse("incentives:sprint", args=[sprint.pk])).content.decode()
    # Reserved 30,000.00; paid out 3,000.00 + 1,172.84 + 600.00 = 4,772.84; left 25,227.16
    assert "30,000.00" in body and "4,772.84" in body and "25,227.16" in body


def test_a_reservation_of_another_organization_cannot_be_linked(hr, sprint):
    from collab.errors import ServiceError

    with pytest.raises(ServiceError):
        services.sprint_link_reservation(actor=hr, sprint=sprint, line_id=987654321)


@pytest.fixture
def five_reps(org, hr, sprint, team, targets):
    """Seven reps in the sprint: ``rep`` and ``rep2`` (with targets), then
    ZZ0 … ZZ4 (without: ranked after them, by name)."""
    from departments.tests.factories import member

    for i in range(5):
        extra = member(org, username=f"zz{i}", first_name=f"ZZ{i}", last_name="")
        services.member_add(actor=hr, sprint=sprint, team=team, user_id=extra.pk)


def _ranked(body):
    import re

    return re.findall(r'<tr id="rep-(\d+)"', body)


def test_the_leaderboard_shows_a_page_of_the_ranking_and_the_viewers_own_row(
    client_for, org, hr, rep, rep2, sprint, five_reps, monkeypatch
):
    from incentives.views import board

    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    won(org, rep, "123456.78")
    won(org, rep2, "20000")
    url = reverse("incentives:sprint", args=[sprint.pk])
    body = client_for(hr.user).get(url).content.decode()
    assert _ranked(body) == [str(rep.user_id), str(rep2.user_id)]
    assert "Page 1 of 4" in body and 'href="/incentives/sprints/' in body and "page=2" in body
    # A rep below the first page sees the top of the ranking, then their own row.
    from django.contrib.auth import get_user_model

    last = get_user_model().objects.get(username="zz4")
    body = client_for(last).get(url).content.decode()
    assert _ranked(body) == [str(rep.user_id), str(rep2.user_id), str(last.pk)]
    assert f'<tr id="rep-{last.pk}" class="me">' in body and 'class="gap"' in body
    # The second page, and the poll asks for the same page again.
    body = client_for(hr.user).get(url, {"page": "2"}).content.decode()
    assert len(_ranked(body)) == 2 and str(rep.user_id) not in _ranked(body)
    assert f'hx-get="/incentives/sprints/{sprint.pk}/progress/?page=2"' in body


def test_the_leaderboard_search_finds_reps_by_name_or_team_with_their_rank(
    client_for, org, hr, rep2, sprint, five_reps, monkeypatch
):
    from incentives.views import board

    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    won(org, rep2, "20000")
    url = reverse("incentives:progress", args=[sprint.pk])
    body = client_for(hr.user).get(url, {"q": "zz3"}).content.decode()
    assert len(_ranked(body)) == 1 and "ZZ3" in body
    assert 'progress/?q=zz3&amp;page=1"' in body
    body = client_for(hr.user).get(url, {"q": "华东"}).content.decode()  # the team's name
    assert "Page 1 of 4" in body
    body = client_for(hr.user).get(url, {"q": "<nobody>"}).content.decode()
    assert _ranked(body) == [] and 'id="no-match"' in body and "<nobody>" not in body


@pytest.mark.parametrize("number", ["0", "-1", "abc", "999", "1.5", ""])
def test_a_bad_leaderboard_page_is_the_nearest_page_never_an_error(
    client_for, hr, sprint, five_reps, number, monkeypatch
):
    from incentives.views import board

    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    response = client_for(hr.user).get(
        reverse("incentives:sprint", args=[sprint.pk]), {"page": number}
    )
    assert response.status_code == 200 and len(_ranked(response.content.decode())) >= 1


def test_the_export_holds_every_rep_whatever_the_page(
    client_for, hr, sprint, five_reps, monkeypatch
):
    from io import BytesIO

    from openpyxl import load_workbook

    from incentives.views import board

    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    response = client_for(hr.user).get(reverse("incentives:export", args=[sprint.pk]))
    sheet = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    assert sheet.max_row == 1 + 7
