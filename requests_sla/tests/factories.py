"""Helpers for the requests_sla suites: members by role, filing shortcuts."""

from __future__ import annotations

import datetime as dt

from collab.tenancy import organization_scope
from departments.models import Department, Membership
from departments.roles import Role
from departments.tests.factories import member
from requests_sla.catalog.models import RequestType
from requests_sla.requests.services import request_file


def membership_of(user, organization) -> Membership:
    with organization_scope(organization.id):
        return Membership.unscoped.select_related("user", "organization", "department").get(
            user=user, organization=organization
        )


def person(organization, role=Role.SALES_REP, department_code=None, username=None) -> Membership:
    user = member(organization, role=role, department_code=department_code, username=username)
    return membership_of(user, organization)


def request_type(organization, code: str) -> RequestType:
    with organization_scope(organization.id):
        return RequestType.unscoped.select_related("serving_department").get(
            organization=organization, code=code
        )


def department(organization, code: str) -> Department:
    with organization_scope(organization.id):
        return Department.unscoped.get(organization=organization, code=code)


TECH_EXTRA = {"customer_name": "华东电力", "product_version": "v3.2"}


def file_tech_support(
    requester: Membership, *, priority="normal", at=None, title="参数确认", **kwargs
):
    rtype = request_type(requester.organization, "rnd_tech_support")
    with organization_scope(requester.organization_id):
        return request_file(
            actor=requester,
            request_type=rtype,
            priority=priority,
            title=title,
            extra=kwargs.pop("extra", TECH_EXTRA),
            at=at,
            **kwargs,
        )


MONDAY_9AM = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)  # 09:00 Asia/Shanghai
