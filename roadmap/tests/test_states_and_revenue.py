from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from collab.errors import ServiceError
from collab.money import Money
from collab.tenancy import organization_scope
from requests_sla.requests.models import Request, Status
from requests_sla.sla.models import SlaTimer
from roadmap.models import TRANSITIONS, Backer, Requirement, State
from roadmap.selectors import revenue_at_stake, score, similar_requirements
from roadmap.services.assessments import assessment_record, assessment_start
from roadmap.services.requirements import requirement_merge, requirement_transition

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a in State.values for b in State.values if a != b]


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_state_machine_allows_exactly_the_table(submit, account, rep, org, source, target):
    requirement = submit(account_ids=[account.pk])
    with organization_scope(org.id):
        Requirement.objects.filter(pk=requirement.pk).update(state=source, decline_reason="无")
        requirement.refresh_from_db()
        at = timezone.now()
        if target in TRANSITIONS[source]:
            requirement_transition(requirement, target, actor=rep, at=at)
            requirement.refresh_from_db()
            assert requirement.state == target
            assert requirement.history.first().state == target
        else:
            with pytest.raises(ServiceError):
                requirement_transition(requirement, target, actor=rep, at=at)
            requirement.refresh_from_db()
            assert requirement.state == source


def test_revenue_at_stake_hand_computed(submit, make_account, make_deal, rep, org):
    from roadmap.services.requirements import requirement_back

    a = make_account(rep, name="甲")
    open_deal = make_deal(a, amount="1000.05", probability=50, name="开放")  # 500.025 → 500.03
    won_needed = make_deal(a, amount="50000.00", stage="won", name="续约")
    won_plain = make_deal(a, amount="70000.00", stage="won", name="已赢")
    lost = make_deal(a, amount="90000.00", stage="lost", name="丢")
    usd = make_deal(make_account(rep, name="乙"), amount="10.00", probability=35, name="美元")
    with organization_scope(org.id):
        from pipeline.opportunities.models import Opportunity

        Opportunity.objects.filter(pk=usd.pk).update(currency="USD")
    requirement = submit(opportunity_ids=[open_deal.pk, usd.pk])
    with organization_scope(org.id):
        requirement_back(
            actor=rep,
            requirement=requirement,
            opportunity_ids=[won_needed.pk],
            needed_for_renewal=True,
        )
        requirement_back(actor=rep, requirement=requirement, opportunity_ids=[won_plain.pk])
        with pytest.raises(ServiceError):
            requirement_back(actor=rep, requirement=requirement, opportunity_ids=[lost.pk])
        revenue = revenue_at_stake([requirement.pk])
    assert revenue[requirement.pk] == [
        Money(Decimal("50500.03"), "CNY"),
        Money(Decimal("3.50"), "USD"),
    ]


def test_assessment_runs_on_the_request_clock(submit, deal, head_rnd, org):
    requirement = submit(opportunity_ids=[deal.pk])
    with organization_scope(org.id):
        assessment_start(actor=head_rnd, requirement=requirement)
        request = Request.objects.get(pk=requirement.assessment_request_id)
        assert request.status == Status.ACKNOWLEDGED
        assessment_record(
            actor=head_rnd,
            requirement=requirement,
            feasibility="conditional",
            feasibility_reason="需要改造权限模型",
            cost_low_days="10",
            cost_high_days="20.5",
            needs_prototype=True,
        )
        requirement.refresh_from_db()
        assert requirement.state == State.READY_FOR_REVIEW
        assert requirement.cost_high_days == Decimal("20.5")
        request.refresh_from_db()
        assert request.status == Status.RESOLVED
        milestone = SlaTimer.objects.get(request=request, key="feasibility")
        assert milestone.stopped_at is not None


def test_assessment_refuses_bad_costs_and_reps(submit, account, head_rnd, rep, org):
    requirement = submit(account_ids=[account.pk])
    with organization_scope(org.id):
        with pytest.raises(PermissionDenied):
            assessment_start(actor=rep, requirement=requirement)
        with pytest.raises(ServiceError) as exc:
            assessment_record(
                actor=head_rnd,
                requirement=requirement,
                feasibility="feasible",
                cost_low_days="30",
                cost_high_days="10",
            )
        assert exc.value.field == "cost_high_days"
        with pytest.raises(ServiceError) as exc:
            assessment_record(
                actor=head_rnd,
                requirement=requirement,
                feasibility="not_feasible",
                cost_low_days="1",
                cost_high_days="2",
            )
        assert exc.value.field == "feasibility_reason"
        requirement.refresh_from_db()
        assert requirement.state == State.SUBMITTED


def test_similar_requirements_found_in_chinese_and_english(submit, account, org):
    zh = submit(account_ids=[account.pk])
    en = submit(
        title="Multi-level report permissions for group customers",
        background="A group with 30 subsidiaries",
        pain_point="Reports cannot be restricted per subsidiary",
        expected_outcome="Each subsidiary sees only its own data",
        account_ids=[account.pk],
    )
    other = submit(
        title="与客户 ERP 双向同步",
        background="制造业",
        pain_point="手工导数据",
        expected_outcome="自动同步",
        account_ids=[account.pk],
    )
    with organization_scope(org.id):
        assert similar_requirements(org.id, "报表需要支持多级权限") == [zh]
        found = similar_requirements(org.id, "multi level permissions in reports")
        assert found == [en]
        assert other not in similar_requirements(org.id, "报表需要支持多级权限")


def test_merge_keeps_every_backer_and_withdraws_the_duplicate(
    submit, make_account, make_deal, rep, rep2, head_rnd, org
):
    a, b = make_account(rep, name="甲"), make_account(rep2, name="乙")
    deal_b = make_deal(b, name="乙的商机")
    keep = submit(account_ids=[a.pk])
    dup = submit(rep2, title="多级权限报表", opportunity_ids=[deal_b.pk])
    with organization_scope(org.id):
        requirement_merge(actor=head_rnd, duplicate=dup, into=keep)
        dup.refresh_from_db()
        assert dup.state == State.MERGED and dup.merged_into_id == keep.pk
        assert set(
            Backer.objects.filter(requirement=keep).values_list("account_id", "opportunity_id")
        ) == {
            (a.pk, None),
            (b.pk, deal_b.pk),
        }
        assert Request.objects.get(pk=dup.assessment_request_id).status == Status.REJECTED
        with pytest.raises(ServiceError):
            requirement_merge(actor=head_rnd, duplicate=keep, into=dup)


def test_score_formula():
    # 4 accounts × high impact 3 × conditional 0.5 ÷ mid-point of 10–20 days (15) = 0.40
    assert score(
        reach=4, impact=3, feasibility="conditional", cost_low=10, cost_high=20
    ) == Decimal("0.40")
    assert score(reach=2, impact=2, feasibility="feasible", cost_low=0, cost_high=1) == Decimal(
        "4.00"
    )
    assert score(reach=1, impact=1, feasibility="", cost_low=None, cost_high=None) == Decimal(
        "0.50"
    )
