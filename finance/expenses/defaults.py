"""The standard expense categories every organization starts with.

Without categories nobody can file an expense (a line needs one), so
provisioning creates them for each new organization, with their policy
limits (费用标准) per unit; the demo uses the same list. Idempotent by code:
a category Finance has since edited keeps its name and limit.
"""

from __future__ import annotations

from decimal import Decimal

from collab.tenancy import organization_scope
from departments.models import Organization
from finance.expenses.models import ExpenseCategory

# (code, 中文名称, English name, limit per unit or None, unit, unit in English)
STANDARD_CATEGORIES = [
    ("hotel_t1", "住宿（一线城市）", "Hotel (tier-1 city)", "600.00", "晚", "night"),
    ("hotel_t2", "住宿（其他城市）", "Hotel (other cities)", "400.00", "晚", "night"),
    ("meals", "餐费", "Meals", "150.00", "天", "day"),
    ("transport", "交通", "Transport", None, "", ""),
    ("entertainment", "客户招待", "Customer entertainment", "2000.00", "次", "occasion"),
    ("event", "活动费", "Event costs", "20000.00", "场", "event"),
]


def expense_categories_provision(*, organization: Organization) -> dict[str, ExpenseCategory]:
    """The organization's standard categories by code, the missing ones created."""
    with organization_scope(organization.id):
        existing = {c.code: c for c in ExpenseCategory.objects.all()}
        for order, (code, zh, en, limit, unit_zh, unit_en) in enumerate(STANDARD_CATEGORIES):
            if code in existing:
                continue
            existing[code] = ExpenseCategory.objects.create(
                organization=organization,
                code=code,
                name_zh=zh,
                name_en=en,
                limit_per_unit=Decimal(limit) if limit else None,
                unit_zh=unit_zh,
                unit_en=unit_en,
                sort_order=order,
            )
        return existing
