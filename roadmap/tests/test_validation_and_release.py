import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.notifications.models import Notification
from roadmap.models import DealNote, Requirement, ReviewBoard, State
from roadmap.services.assessments import assessment_record
from roadmap.services.boards import agenda_refresh, board_decide
from roadmap.services.prototypes import prototype_start, validations_close, verdict_record
from roadmap.services.releases import release_create, release_ship, requirement_develop

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _board(org, day):
    return ReviewBoard.objects.create(
        organization=org, slot=day, starts_at=dt.datetime.combine(day, dt.time(15), SHANGHAI)
    )


@pytest.fixture
def prototyped(submit, deal, head_rnd, ops, org):
    """A requirement that needs a prototype, sent to prototype by the board."""
    requirement = submit(opportunity_ids=[deal.pk])
    with organization_scope(org.id):
        assessment_record(
            actor=head_rnd,
            requirement=requirement,
            feasibility="conditional",
            feasibility_reason="权限模型需改造",
            cost_low_days="10",
            cost_high_days="20",
            needs_prototype=True,
        )
        board = _board(org, dt.date(2026, 3, 4))
        agenda_refresh(board)
        with pytest.raises(ServiceError) as exc:
            board_decide(actor=ops, board=board, requirement=requirement, decision="accept")
        assert exc.value.field == "decision"  # the validation gate
        board_decide(actor=ops, board=board, requirement=requirement, decision="prototype")
        requirement.refresh_from_db()
        assert requirement.state == State.PROTOTYPE
        return requirement


def test_validation_gate_then_accept_after_two_verdicts(
    prototyped, make_account, rep, head_rnd, ops, deal, org
):
    other = make_account(rep, name="远航物流")
    with organization_scope(org.id):
        prototype = prototype_start(
            actor=head_rnd,
            requirement=prototyped,
            link="https://demo.example.com/rbac",
            window_start=dt.date(2026, 3, 5),
            window_end=dt.date(2026, 3, 20),
            customers=[(deal.account_id, None), (other.pk, None)],
        )
        assert Requirement.objects.get(pk=prototyped.pk).state == State.VALIDATING
        verdict_record(actor=rep, prototype=prototype, account_id=deal.account_id, verdict="meets")
        assert Requirement.objects.get(pk=prototyped.pk).state == State.VALIDATING
        verdict_record(
            actor=rep,
            prototype=prototype,
            account_id=other.pk,
            verdict="partly",
            notes="希望支持按区域授权",
        )
        prototype.refresh_from_db()
        assert prototype.completed_at is not None
        requirement = Requirement.objects.get(pk=prototyped.pk)
        assert requirement.state == State.READY_FOR_REVIEW
        board = _board(org, dt.date(2026, 3, 18))
        assert [i.requirement_id for i in agenda_refresh(board)] == [requirement.pk]
        board_decide(actor=ops, board=board, requirement=requirement, decision="accept", priority=1)
        assert Requirement.objects.get(pk=requirement.pk).state == State.ACCEPTED


def test_verdict_for_an_account_not_in_the_validation_is_refused(
    prototyped, make_account, rep, head_rnd, deal, org
):
    stranger = make_account(rep, name="陌生客户")
    with organization_scope(org.id):
        prototype = prototype_start(
            actor=head_rnd,
            requirement=prototyped,
            description="演示环境",
            window_start=dt.date(2026, 3, 5),
            window_end=dt.date(2026, 3, 20),
            customers=[(deal.account_id, None)],
        )
        with pytest.raises(ServiceError) as exc:
            verdict_record(actor=rep, prototype=prototype, account_id=stranger.pk, verdict="meets")
        assert exc.value.field == "account_id"


def test_validation_window_end_returns_it_to_the_board(prototyped, head_rnd, deal, org):
    with organization_scope(org.id):
        prototype_start(
            actor=head_rnd,
            requirement=prototyped,
            description="演示环境",
            window_start=dt.date(2026, 3, 5),
            window_end=dt.date(2026, 3, 20),
            customers=[(deal.account_id, None)],
        )
    assert (
        validations_close(organization_id=org.id, now=dt.datetime(2026, 3, 21, 9, tzinfo=SHANGHAI))
        == 1
    )
    with organization_scope(org.id):
        assert Requirement.objects.get(pk=prototyped.pk).state == State.READY_FOR_REVIEW


def test_release_ship_notifies_backers_and_notes_open_deals(
    submit, account, deal, make_deal, head_rnd, ops, rep, org
):
    from departments.roles import Role
    from requests_sla.tests.factories import person

    cs_head = person(org, Role.DEPT_HEAD, "customer_success", "head-cs")
    won = make_deal(account, stage="won", name="已签约")
    requirement = submit(opportunity_ids=[deal.pk, won.pk])
    with organization_scope(org.id):
        assessment_record(
            actor=head_rnd,
            requirement=requirement,
            feasibility="feasible",
            cost_low_days="2",
            cost_high_days="3",
        )
        board = _board(org, dt.date(2026, 3, 4))
        agenda_refresh(board)
        release = release_create(actor=head_rnd, version="v3.2", planned_on=dt.date(2026, 4, 1))
        board_decide(
            actor=ops, board=board, requirement=requirement, decision="accept", release=release
        )
        requirement_develop(actor=head_rnd, requirement=requirement, release=release)
        shipped = release_ship(actor=head_rnd, release=release)
        assert [r.pk for r in shipped] == [requirement.pk]
        requirement.refresh_from_db()
        assert requirement.state == State.SHIPPED and requirement.shipped_at is not None
        notes = list(DealNote.objects.values_list("opportunity_id", flat=True))
        assert notes == [deal.pk]  # the won deal gets no note
        told = set(
            Notification.objects.filter(kind="resolved", link__contains="/roadmap/").values_list(
                "recipient_id", flat=True
            )
        )
        assert told == {rep.user_id, cs_head.user_id}
        with pytest.raises(ServiceError):
            release_ship(actor=head_rnd, release=release)
        with pytest.raises(ServiceError) as exc:
            release_create(actor=head_rnd, version="v3.2", planned_on=dt.date(2026, 5, 1))
        assert exc.value.field == "version"


def test_revenue_influenced_counts_deals_won_after_shipping(
    submit, account, make_deal, head_rnd, ops, rep, move_to_won, org, client_for, settings
):
    from roadmap.metrics import loop_metrics

    before = make_deal(account, amount="80000.00", stage="won", name="上线前赢单")
    after = make_deal(account, amount="120000.00", name="上线后赢单")
    never = make_deal(account, amount="50000.00", name="仍在谈")
    requirement = submit(opportunity_ids=[after.pk, never.pk])
    with organization_scope(org.id):
        from roadmap.services.requirements import requirement_back

        requirement_back(
            actor=rep, requirement=requirement, opportunity_ids=[before.pk], needed_for_renewal=True
        )
        assessment_record(
            actor=head_rnd,
            requirement=requirement,
            feasibility="feasible",
            cost_low_days="2",
            cost_high_days="3",
        )
        board = _board(org, dt.date(2026, 3, 4))
        agenda_refresh(board)
        release = release_create(actor=head_rnd, version="v3.3", planned_on=dt.date(2026, 4, 1))
        board_decide(
            actor=ops, board=board, requirement=requirement, decision="accept", release=release
        )
        release_ship(actor=head_rnd, release=release)
    move_to_won(after)
    with organization_scope(org.id):
        metrics = loop_metrics(org.id)
    assert metrics.influenced_deals == 1
    assert [str(m.amount) for m in metrics.influenced] == ["120000.00"]
    assert metrics.by_state[State.SHIPPED] == 1
    assert metrics.decided == 1 and metrics.declined_share == 0
    assert metrics.median_decision_minutes is not None
    # The same figures on the roadmap page and in the SLA dashboard's panel.
    client = client_for(ops.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    figure = 'data-figure="loop-influenced">1 opportunity · CNY 120,000.00<'
    assert figure in client.get("/roadmap/releases/").content.decode()
    dashboard = client.get("/dashboard/").content.decode()
    assert figure in dashboard and 'data-figure="loop-declined">0.0%<' in dashboard
    assert dashboard.index("h-roadmap-loop") < dashboard.index("h-scorecards")
