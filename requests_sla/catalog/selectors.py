"""Reads of the catalog: the request types to file with, by department."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from departments.models import Department
from requests_sla.catalog.models import RequestType


def request_types_for_filing() -> QuerySet[RequestType]:
    return (
        RequestType.objects.filter(is_active=True)
        .select_related("serving_department")
        .order_by("serving_department__sort_order", "sort_order", "code")
    )


def request_types_all() -> QuerySet[RequestType]:
    return RequestType.objects.select_related("serving_department").order_by(
        "serving_department__sort_order", "sort_order", "code"
    )


@dataclass
class DepartmentOffer:
    department: Department
    types: list[RequestType] = field(default_factory=list)


def filing_offers() -> list[DepartmentOffer]:
    """Departments that take requests, each with its active request types."""
    offers: dict[int, DepartmentOffer] = {}
    for rtype in request_types_for_filing():
        offer = offers.setdefault(
            rtype.serving_department_id, DepartmentOffer(rtype.serving_department)
        )
        offer.types.append(rtype)
    return list(offers.values())
