import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.notifications.models import Notification
from roadmap.models import BoardItem, BoardSettings, Requirement, ReviewBoard, State
from roadmap.services.assessments import assessment_record
from roadmap.services.boards import (
    agenda_refresh,
    board_decide,
    boards_schedule,
    deferred_revisit,
)
from roadmap.tasks import roadmap_sweep_task

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _settings(org, weekday, anchor, time=dt.time(15, 0)):
    with organization_scope(org.id):
        BoardSettings.objects.update_or_create(
            organization=org, defaults={"weekday": weekday, "anchor_date": anchor, "time": time}
        )


def _boards(org):
    with organization_scope(org.id):
        return list(ReviewBoard.objects.order_by("slot").values_list("slot", "starts_at"))


@pytest.mark.django_db
def test_board_on_a_holiday_moves_to_the_make_up_workday(org):
    # Fridays every other week from 2 Jan 2026: New Year's holiday (1–3 Jan),
    # so the board moves to Sunday 4 Jan, a make-up workday (调休上班).
    _settings(org, weekday=4, anchor=dt.date(2026, 1, 2))
    now = dt.datetime(2025, 12, 30, 10, 0, tzinfo=SHANGHAI)
    assert boards_schedule(organization_id=org.id, now=now) == 3
    assert _boards(org) == [
        (dt.date(2026, 1, 2), dt.datetime(2026, 1, 4, 15, 0, tzinfo=SHANGHAI)),
        (dt.date(2026, 1, 16), dt.datetime(2026, 1, 16, 15, 0, tzinfo=SHANGHAI)),
        (dt.date(2026, 1, 30), dt.datetime(2026, 1, 30, 15, 0, tzinfo=SHANGHAI)),
    ]


@pytest.mark.django_db
def test_board_in_the_spring_festival_moves_to_the_next_working_day(org):
    # Friday 20 Feb 2026 is in the Spring Festival (15–23 Feb): Tuesday 24 Feb.
    _settings(org, weekday=4, anchor=dt.date(2026, 2, 20), time=dt.time(10, 30))
    boards_schedule(organization_id=org.id, now=dt.datetime(2026, 2, 16, 9, tzinfo=SHANGHAI))
    first = _boards(org)[0]
    assert first == (dt.date(2026, 2, 20), dt.datetime(2026, 2, 24, 10, 30, tzinfo=SHANGHAI))


@pytest.mark.django_db
def test_second_beat_creates_nothing(org):
    _settings(org, weekday=2, anchor=dt.date(2026, 3, 4))
    now = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    assert boards_schedule(organization_id=org.id, now=now) == 3
    assert boards_schedule(organization_id=org.id, now=now) == 0
    assert len(_boards(org)) == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_beats_create_each_board_exactly_once(org):
    _settings(org, weekday=2, anchor=dt.date(2026, 3, 4))
    now = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def beat():
        try:
            barrier.wait()
            results.append(boards_schedule(organization_id=org.id, now=now))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 3
    assert len(_boards(org)) == 3


@pytest.mark.django_db
def test_beat_task_covers_every_organization(org, other_org):
    assert roadmap_sweep_task()["boards"] >= 6  # three ahead for each provisioned organization
    assert roadmap_sweep_task()["boards"] == 0


@pytest.fixture
def board(org):
    with organization_scope(org.id):
        return ReviewBoard.objects.create(
            organization=org,
            slot=dt.date(2026, 3, 4),
            starts_at=dt.datetime(2026, 3, 4, 15, tzinfo=SHANGHAI),
        )


@pytest.fixture
def ready(submit, account, deal, head_rnd, org):
    def make(title="集团客户报表多级权限", needs_prototype=False, low="10", high="20"):
        requirement = submit(title=title, opportunity_ids=[deal.pk])
        with organization_scope(org.id):
            return assessment_record(
                actor=head_rnd,
                requirement=requirement,
                feasibility="feasible",
                cost_low_days=low,
                cost_high_days=high,
                needs_prototype=needs_prototype,
            )

    return make


@pytest.mark.django_db
def test_agenda_is_every_ready_requirement_ordered_by_score(ready, board, org):
    slow = ready(title="大改造", low="40", high="60")
    quick = ready(title="小改动", low="1", high="3")
    with organization_scope(org.id):
        items = agenda_refresh(board)
        assert [i.requirement_id for i in items] == [quick.pk, slow.pk]
        assert [str(i.score) for i in items] == ["1.00", "0.04"]  # 1×2×1÷2, 1×2×1÷50


@pytest.mark.django_db
def test_decision_on_an_item_not_on_the_board_is_refused(ready, board, ops, org):
    requirement = ready()
    with organization_scope(org.id):
        with pytest.raises(ServiceError) as exc:
            board_decide(actor=ops, board=board, requirement=requirement, decision="accept")
        assert exc.value.field == "requirement"
        assert Requirement.objects.get(pk=requirement.pk).state == State.READY_FOR_REVIEW


@pytest.mark.django_db
def test_rnd_cannot_decide_alone(ready, board, head_rnd, org):
    requirement = ready()
    with organization_scope(org.id):
        agenda_refresh(board)
        with pytest.raises(PermissionDenied):
            board_decide(actor=head_rnd, board=board, requirement=requirement, decision="accept")


@pytest.mark.django_db
def test_decline_needs_a_reason_and_tells_every_backer(ready, board, ops, rep, org):
    requirement = ready()
    with organization_scope(org.id):
        agenda_refresh(board)
        with pytest.raises(ServiceError) as exc:
            board_decide(actor=ops, board=board, requirement=requirement, decision="decline")
        assert exc.value.field == "note"
        board_decide(
            actor=ops,
            board=board,
            requirement=requirement,
            decision="decline",
            note="与产品方向不符",
        )
        requirement.refresh_from_db()
        assert requirement.state == State.DECLINED
        assert requirement.decline_reason == "与产品方向不符"
        notice = Notification.objects.get(recipient=rep.user, kind="meeting")
        assert "与产品方向不符" in notice.display_text
        assert BoardItem.objects.get(board=board).decision == "decline"


@pytest.mark.django_db
def test_defer_then_revisit_returns_to_review(ready, board, head_biz, org):
    requirement = ready()
    with organization_scope(org.id):
        agenda_refresh(board)
        board_decide(
            actor=head_biz,
            board=board,
            requirement=requirement,
            decision="defer",
            revisit_on=dt.date(2099, 1, 5),
        )
    assert (
        deferred_revisit(organization_id=org.id, now=dt.datetime(2099, 1, 5, 9, tzinfo=SHANGHAI))
        == 1
    )
    with organization_scope(org.id):
        assert Requirement.objects.get(pk=requirement.pk).state == State.READY_FOR_REVIEW
