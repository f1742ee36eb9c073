"""Hiring plans: departments ask, HR decides, opens positions in a quarter's
plan, moves them through the pipeline and fills them with a new member in
one step; plan vs filled and time-to-fill in working days; who reads what;
the tenancy trio; bad input written nowhere."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import InvitationState, Membership
from departments.services import invitation_accept
from incentives.hiring import selectors, services
from incentives.hiring.models import HeadcountRequest, Position, RequestState, Stage
from incentives.tests.helpers import api

pytestmark = pytest.mark.django_db


def rows(response):
    return response.json()["results"]


def _ask(head, **overrides):
    fields = {
        "position": "大客户销售经理",
        "level": "P6",
        "count": 2,
        "reason": "华东区新增覆盖",
        "needed_by": timezone.localdate() + dt.timedelta(days=60),
        "budget_per_head": Decimal("420000.00"),
    }
    return services.headcount_request(actor=head, **{**fields, **overrides})


@pytest.fixture
def approved(head_biz, hr):
    req = _ask(head_biz)
    return services.headcount_decide(actor=hr, request_id=req.pk, approve=True)


@pytest.fixture
def positions(hr, approved):
    return services.positions_open(actor=hr, request_id=approved.pk, year=2026, quarter=1)


def test_a_head_asks_hr_approves_and_opens_one_position_per_head(org, hr, positions):
    with organization_scope(org.id):
        req = HeadcountRequest.objects.get()
        assert req.state == RequestState.PLANNED and req.budget_total == Decimal("840000.00")
        assert [p.stage for p in Position.objects.all()] == [Stage.SOURCING, Stage.SOURCING]
        assert str(Position.objects.first().plan) == "2026 Q1"
    with pytest.raises(ServiceError):  # already planned
        services.positions_open(actor=hr, request_id=req.pk, year=2026, quarter=1)


def test_only_heads_and_hr_ask_and_only_hr_decides(rep, head_biz, hr):
    with pytest.raises(ServiceError):
        _ask(rep)
    req = _ask(head_biz)
    with pytest.raises(ServiceError):
        services.headcount_decide(actor=head_biz, request_id=req.pk, approve=True)
    with pytest.raises(ServiceError):  # a rejection says why
        services.headcount_decide(actor=hr, request_id=req.pk, approve=False)


def test_filling_a_position_adds_the_joiner_as_a_member_of_the_department(org, hr, positions):
    position = services.position_move(actor=hr, position_id=positions[0].pk, stage="offer")
    assert position.stage == Stage.OFFER
    filled = services.position_fill(
        actor=hr, position_id=position.pk, email="New.Joiner@acme.example"
    )
    assert filled.stage == Stage.JOINED and filled.joiner_id is not None
    with organization_scope(org.id):
        member = Membership.objects.get(user_id=filled.joiner_id)
        assert member.department_id == filled.department_id and member.is_active
    with pytest.raises(ServiceError):
        services.position_fill(actor=hr, position_id=position.pk, email="x@acme.example")
    with pytest.raises(ServiceError):
        services.position_move(actor=hr, position_id=position.pk, stage="sourcing")


def test_fill_invites_a_joiner_who_already_has_an_account(client_for, org, hr, positions, outsider):
    """The page's "fill": someone with an account elsewhere gets a pending
    invitation to the position's department (nothing changes for them until
    they accept), the position is filled; accepting makes them a member."""
    outsider.email = "joiner@elsewhere.example"
    outsider.save(update_fields=["email"])
    position = positions[0]
    response = client_for(hr.user).post(
        reverse("incentives:position_fill", args=[position.pk]),
        {"email": "Joiner@Elsewhere.example", "joined_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    with organization_scope(org.id):
        filled = Position.objects.select_related("invitation").get(pk=position.pk)
        assert filled.stage == Stage.JOINED and filled.joiner_id == outsider.pk
        invitation = filled.invitation
        assert invitation is not None and invitation.invitee_id == outsider.pk
        assert invitation.state == InvitationState.PENDING
        assert invitation.department_id == position.department_id
        assert not Membership.objects.filter(user=outsider).exists()
    invitation_accept(invitation=invitation, user=outsider)
    with organization_scope(org.id):
        member = Membership.objects.get(user=outsider)
    assert member.department_id == position.department_id and member.is_active


def test_a_joiner_who_is_already_a_member_is_recorded_without_an_invitation(
    org, hr, positions, rep
):
    filled = services.position_fill(actor=hr, position_id=positions[0].pk, email=rep.user.email)
    assert filled.joiner_id == rep.user_id and filled.invitation_id is None


def test_time_to_fill_counts_working_days_and_plan_vs_filled_per_department(org, hr, approved):
    opened = dt.date(2026, 3, 2)  # a Monday; no holiday that week
    rows = services.positions_open(
        actor=hr, request_id=approved.pk, year=2026, quarter=1, opened_on=opened
    )
    services.position_fill(
        actor=hr, position_id=rows[0].pk, email="a@acme.example", joined_on=dt.date(2026, 3, 9)
    )
    with organization_scope(org.id):
        assert selectors.time_to_fill(Position.objects.get(pk=rows[0].pk)) == 5
        (row,) = selectors.plan_vs_filled(Position.objects.all())
    assert (row.planned, row.filled, row.open, row.avg_days_to_fill) == (2, 1, 1, Decimal("5.0"))


def test_a_joining_date_before_the_opening_is_refused(hr, positions):
    with pytest.raises(ServiceError) as exc:
        services.position_fill(
            actor=hr,
            position_id=positions[0].pk,
            email="a@acme.example",
            joined_on=positions[0].opened_on - dt.timedelta(days=1),
        )
    assert exc.value.field == "joined_on"


# --- visibility and the tenancy trio -------------------------------------------------------


def test_members_read_only_their_departments_requests(hr, head_biz, rep, head_fin, positions):
    assert len(rows(api(hr.user).get("/api/incentives/headcount-requests/"))) == 1
    assert len(rows(api(rep.user).get("/api/incentives/positions/"))) == 2  # Business
    assert rows(api(head_fin.user).get("/api/incentives/positions/")) == []
    assert rows(api(head_fin.user).get("/api/incentives/headcount-requests/")) == []


def test_tenancy_trio_on_the_api(hr, rep, outsider, approved, positions):
    url = f"/api/incentives/positions/{positions[0].pk}/"
    assert api(hr.user).get(url).status_code == 200
    assert api(rep.user).get(url).status_code == 200
    assert api(outsider).get(url).status_code == 404
    assert api(outsider).post(f"{url}move/", {"stage": "offer"}).status_code == 404
    decide = f"/api/incentives/headcount-requests/{approved.pk}/decide/"
    assert api(outsider).post(decide, {"approve": True}).status_code == 404
    assert rows(api(outsider).get("/api/incentives/headcount-requests/")) == []


def test_tenancy_trio_on_the_page(client_for, hr, rep, outsider, positions, org):
    assert (
        "大客户销售经理" in client_for(hr.user).get(reverse("incentives:hiring")).content.decode()
    )
    body = client_for(rep.user).get(reverse("incentives:hiring")).content.decode()
    assert "大客户销售经理" in body and "fill-form" not in body
    client = client_for(outsider)
    assert "大客户销售经理" not in client.get(reverse("incentives:hiring")).content.decode()
    move = reverse("incentives:position_move", args=[positions[0].pk])
    assert client.post(move, {"stage": "offer"}).status_code == 404
    assert client_for(rep.user).post(move, {"stage": "offer"}).status_code == 403
    with organization_scope(org.id):
        assert Position.objects.filter(stage=Stage.OFFER).count() == 0


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("count", 0),
        ("count", 51),
        ("count", "two"),
        ("budget_per_head", "-1"),
        ("budget_per_head", "0"),
        ("budget_per_head", "1e9"),
        ("budget_per_head", "99999999999999999"),
        ("needed_by", "2026-02-30"),
        ("needed_by", "1500-01-01"),
        ("reason", ""),
        ("position", "x" * 101),
        ("department_id", 987654321),
    ],
)
def test_bad_headcount_input_is_a_400_and_nothing_is_written(head_biz, hr, org, field, value):
    data = {
        "position": "工程师",
        "level": "P5",
        "count": 1,
        "reason": "扩编",
        "needed_by": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "budget_per_head": "300000",
        field: value,
    }
    response = api(hr.user).post("/api/incentives/headcount-requests/", data, format="json")
    assert response.status_code == 400 and field in response.json()
    with organization_scope(org.id):
        assert not HeadcountRequest.objects.exists()


def test_a_past_needed_by_date_is_refused(head_biz):
    with pytest.raises(ServiceError) as exc:
        _ask(head_biz, needed_by=timezone.localdate() - dt.timedelta(days=1))
    assert exc.value.field == "needed_by"


def test_bad_stage_email_and_quarter_are_400s(hr, approved, positions):
    base = f"/api/incentives/positions/{positions[0].pk}/"
    assert api(hr.user).post(f"{base}move/", {"stage": "joined"}).status_code == 400
    assert api(hr.user).post(f"{base}fill/", {"email": "not-an-email"}).status_code == 400
    open_url = f"/api/incentives/headcount-requests/{approved.pk}/open/"
    assert api(hr.user).post(open_url, {"year": 2026, "quarter": 5}).status_code == 400


def test_a_bad_page_form_writes_nothing(client_for, head_biz, org):
    response = client_for(head_biz.user).post(
        reverse("incentives:headcount_create"),
        {
            "position": "工程师",
            "level": "P5",
            "count": "0",
            "reason": "x",
            "needed_by": "2099-01-01",
            "budget_per_head": "abc",
        },
    )
    assert response.status_code == 302
    with organization_scope(org.id):
        assert not HeadcountRequest.objects.exists()


# --- the page, the schema ------------------------------------------------------------------


def test_the_hiring_page_query_count_is_locked(
    client_for, hr, positions, django_assert_num_queries
):
    services.position_fill(actor=hr, position_id=positions[0].pk, email="b@acme.example")
    client = client_for(hr.user)
    url = reverse("incentives:hiring")
    client.get(url)
    with django_assert_num_queries(QUERIES):
        body = client.get(url).content.decode()
    assert 'id="plan-vs-filled"' in body


QUERIES = 11


def test_the_schema_lists_the_hiring_endpoints(hr):
    paths = api(hr.user).get("/api/schema/?format=json").json()["paths"]
    assert "/api/incentives/headcount-requests/" in paths
    assert "/api/incentives/headcount-requests/{id}/open/" in paths
    assert "/api/incentives/positions/{id}/fill/" in paths
