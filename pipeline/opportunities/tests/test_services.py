import pytest

from collab import tenancy
from collab.errors import ServiceError
from pipeline.opportunities.models import Stage, StageChange
from pipeline.tests.factories import at


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
    with tenancy.organization_scope(org.id):  # history rows are tenant rows (RLS)
        assert won.history.count() == 2  # simple-history: created, moved


@pytest.mark.django_db
def test_a_move_cannot_be_backdated_before_the_current_stay(
    org, teammate, make_account, make_opportunity, move
):
    opp = make_opportunity(make_account(teammate), when=at(4, 10))
    with pytest.raises(ServiceError) as err:
        move(opp, "qualified", at(4, 9))
    assert err.value.field == "at"
