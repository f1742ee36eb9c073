from decimal import Decimal

import pytest

from collab import tenancy
from collab.errors import ServiceError
from pipeline import services
from pipeline.models import Lead, Opportunity, Stage, StageChange

from .conftest import at


@pytest.mark.django_db
def test_default_stages_are_provisioned_once_in_both_languages(org):
    from departments.services import organization_provision

    organization_provision(organization=org)
    with tenancy.organization_scope(org.id):
        stages = list(Stage.objects.order_by("order"))
    assert [(s.code, s.name_zh, s.default_probability) for s in stages] == [
        ("lead", "线索", 10),
        ("qualified", "已确认需求", 20),
        ("solution", "方案/演示", 40),
        ("proposal", "报价", 60),
        ("negotiation", "谈判", 80),
        ("won", "赢单", 100),
        ("lost", "丢单", 0),
    ]
    assert stages[2].name_en == "Solution / demo"


@pytest.mark.django_db
def test_moving_records_a_stage_change_and_closes_the_previous_stay(
    org, teammate, make_account, make_opportunity, move
):
    opp = make_opportunity(make_account(teammate), when=at(4, 1))
    opp = move(opp, "solution", at(4, 3))
    assert opp.probability == 40
    with tenancy.organization_scope(org.id):
        changes = list(StageChange.objects.filter(opportunity=opp).order_by("changed_at"))
    assert [(c.from_level, c.to_level, c.left_at) for c in changes] == [
        (0, 10, at(4, 3)),
        (10, 30, None),
    ]
    assert changes[1].changed_by == teammate


@pytest.mark.django_db
def test_losing_needs_a_reason_and_winning_sets_probability_to_100(
    org, teammate, make_account, make_opportunity, move
):
    opp = make_opportunity(make_account(teammate), when=at(4, 1))
    with pytest.raises(ServiceError) as err:
        move(opp, "lost", at(4, 2))
    assert err.value.field == "lost_reason"
    with pytest.raises(ServiceError) as err:
        move(opp, "lost", at(4, 2), lost_reason="other")
    assert err.value.field == "lost_note"
    won = move(opp, "won", at(4, 3))
    assert won.probability == 100
    assert won.history.count() == 2  # simple-history: created, moved


@pytest.mark.django_db
def test_a_move_cannot_be_backdated_before_the_current_stay(
    org, teammate, make_account, make_opportunity, move
):
    opp = make_opportunity(make_account(teammate), when=at(4, 10))
    with pytest.raises(ServiceError) as err:
        move(opp, "qualified", at(4, 9))
    assert err.value.field == "at"


@pytest.mark.django_db
def test_lead_conversion_creates_a_first_stage_deal_for_the_account_owner(
    org, teammate, cs, make_account
):
    account = make_account(teammate)
    with tenancy.organization_scope(org.id):
        lead = services.lead_create(
            actor=cs,
            account=account,
            source="follow_up",
            kind="upsell",
            estimated_amount=Decimal("120000"),
            description="想加 200 个账号",
        )
        assert lead.owner_notified_at is not None
        lead = services.lead_accept(lead=lead, actor=teammate)
        lead = services.lead_convert(lead=lead, actor=teammate)
        opp = Opportunity.objects.get(pk=lead.opportunity_id)
        assert (lead.status, opp.stage.code, opp.amount, opp.owner) == (
            "converted",
            "lead",
            Decimal("120000"),
            teammate,
        )
        with pytest.raises(ServiceError):
            services.lead_reject(lead=lead, actor=teammate, reason="too late")


@pytest.mark.django_db
def test_rejecting_a_lead_needs_a_reason(org, teammate, cs, make_account):
    with tenancy.organization_scope(org.id):
        lead = services.lead_create(
            actor=cs,
            account=make_account(teammate),
            source="other",
            kind="renewal",
            estimated_amount=Decimal("1"),
            description="x",
        )
        with pytest.raises(ServiceError) as err:
            services.lead_reject(lead=lead, actor=teammate, reason=" ")
        assert err.value.field == "reason"
        assert (
            services.lead_reject(lead=lead, actor=teammate, reason="no budget").status == "rejected"
        )
        assert Lead.objects.get(pk=lead.pk).reject_reason == "no budget"


@pytest.mark.django_db
def test_csat_must_be_between_1_and_5(org, cs, teammate, make_account):
    account = make_account(teammate)
    with tenancy.organization_scope(org.id):
        with pytest.raises(ServiceError) as err:
            services.followup_create(
                actor=cs, account=account, kind="call", scheduled_for=at(4, 1), csat=6
            )
        assert err.value.field == "csat"
        done = services.followup_create(
            actor=cs, account=account, kind="call", scheduled_for=at(4, 1), csat=5
        )
        assert done.done_at is not None


@pytest.mark.django_db
def test_demo_data_loads_once_with_a_visible_bottleneck(org, other_org):
    from departments import demo as people
    from pipeline import demo
    from pipeline.models import Account
    from pipeline.selectors import default_filters, funnel_report

    people.load(organization=org, key="demo")
    demo.load(organization=org, key="demo")
    demo.load(organization=org, key="demo")
    people.load(organization=other_org, key="other")
    demo.load(organization=other_org, key="other")
    with tenancy.organization_scope(org.id):
        assert Account.objects.count() == 30
        assert Opportunity.objects.count() >= 150
        assert Lead.objects.filter(status="converted").exists()
        report = funnel_report(default_filters())
    assert report.bottleneck.stage.code == "solution"
    with tenancy.organization_scope(other_org.id):
        assert Account.objects.count() == 4
