"""Hiring demo data, in both organizations: headcount requests in every
state and this quarter's hiring plan with positions in several stages (one
filled last month by a new member of its department), dated from today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.models import Department, Membership, Organization
from departments.roles import Role
from departments.services import membership_set
from incentives.hiring import services
from incentives.hiring.models import HeadcountRequest, Position

# department, position, level, count, reason, budget per head, decision, stages
REQUESTS = {
    "demo": [
        (
            "business",
            "大客户销售经理",
            "P6",
            3,
            "华东区新增行业大客户覆盖",
            "420000",
            "open",
            ["offer", "interviews", "joined"],
        ),
        (
            "rnd",
            "后端工程师",
            "P5",
            2,
            "支撑季度冲刺的定制需求",
            "380000",
            "open",
            ["sourcing", "interviews"],
        ),
        ("customer_success", "客户成功经理", "P5", 1, "续约客户增长", "260000", "approved", []),
        ("marketing", "品牌设计师", "P4", 1, "年度品牌升级", "200000", "rejected", []),
        ("finance", "应收会计", "P4", 1, "回款量增加", "180000", "submitted", []),
    ],
    "other": [
        (
            "business",
            "Account executive",
            "L5",
            2,
            "New industry accounts in the east",
            "400000",
            "open",
            ["interviews", "joined"],
        ),
        (
            "rnd",
            "Backend engineer",
            "L4",
            1,
            "Custom work for the sprint",
            "360000",
            "open",
            ["sourcing"],
        ),
        ("marketing", "Content marketer", "L4", 1, "Year-end campaign", "190000", "submitted", []),
    ],
}
HR = {"demo": "head-hr", "other": "other-hr"}
REJECTION = {"demo": "本季度市场预算已满，下季度再议", "other": "No budget this quarter"}


def _head(department: Department) -> Membership | None:
    return (
        Membership.objects.select_related("department", "user")
        .filter(department=department, role="dept_head", is_active=True)
        .first()
    )


def load(*, organization: Organization, key: str) -> None:
    """Runs inside the organization's scope (the incentives demo step)."""
    if key not in REQUESTS or HeadcountRequest.objects.exists():
        return
    hr = (
        Membership.objects.select_related("department", "user")
        .filter(user__username=HR[key], is_active=True)
        .first()
    )
    if hr is None:
        return
    today = timezone.localdate()
    departments = {d.code: d for d in Department.objects.all()}
    for n, (code, title, level, count, reason, budget, decision, stages) in enumerate(
        REQUESTS[key]
    ):
        department = departments.get(code)
        if department is None:
            continue
        asker = _head(department) or hr
        req = services.headcount_request(
            actor=asker,
            department_id=department.pk,
            position=title,
            level=level,
            count=count,
            reason=reason,
            needed_by=today + dt.timedelta(days=60 + 15 * n),
            budget_per_head=Decimal(budget),
        )
        if decision == "submitted":
            continue
        services.headcount_decide(
            actor=hr,
            request_id=req.pk,
            approve=decision != "rejected",
            note=REJECTION[key] if decision == "rejected" else "",
        )
        if decision == "open":
            _open(hr, req.pk, stages, today, organization, n)


def _open(hr, request_id: int, stages: list[str], today: dt.date, org: Organization, n: int):
    opened_on = today - dt.timedelta(days=45)
    services.positions_open(
        actor=hr,
        request_id=request_id,
        year=today.year,
        quarter=(today.month - 1) // 3 + 1,
        opened_on=opened_on,
    )
    positions = Position.objects.filter(request_id=request_id).order_by("id")
    for position, stage in zip(positions, stages, strict=False):
        if stage == "joined":
            # The joiner's account and membership made as the departments demo
            # makes its people (no email from a management command); filling
            # the position records them.
            email = f"new-joiner-{n}@{org.slug}.example"
            user, created = get_user_model().objects.get_or_create(
                username=f"new-joiner-{org.slug}-{n}", defaults={"email": email}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            membership_set(
                organization=org, user=user, role=Role.DEPT_MEMBER, department=position.department
            )
            services.position_fill(
                actor=hr,
                position_id=position.pk,
                email=user.email,
                joined_on=opened_on + dt.timedelta(days=28),
            )
        elif stage != "sourcing":
            services.position_move(actor=hr, position_id=position.pk, stage=stage)
