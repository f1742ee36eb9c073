"""Writes for the catalog (request types)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.history import history_note
from collab.tenancy import organization_scope
from departments.models import Department, Membership, Organization
from requests_sla.catalog.defaults import ALL_PRIORITIES, REQUEST_TYPES
from requests_sla.catalog.form_schema import validate_schema, validate_sla_targets
from requests_sla.catalog.models import Priority, RequestType
from requests_sla.sla.services import sla_recompute_open


def catalog_provision(*, organization: Organization) -> None:
    """Give the organization the starter catalog.

    Idempotent by ``code``: types an admin edited or deleted-then-recreated
    keep their edits; only missing ones are created.
    """
    with organization_scope(organization.id):
        departments = {d.code: d for d in Department.objects.all()}
        existing = set(RequestType.objects.values_list("code", flat=True))
        for order, spec in enumerate(REQUEST_TYPES):
            department = departments.get(spec["department"])
            if spec["code"] in existing or department is None:
                continue
            RequestType.objects.create(
                organization=organization,
                serving_department=department,
                code=spec["code"],
                name_zh=spec["name_zh"],
                name_en=spec["name_en"],
                description_zh=spec.get("description_zh", ""),
                description_en=spec.get("description_en", ""),
                priorities=list(spec.get("priorities", ALL_PRIORITIES)),
                default_priority=Priority.NORMAL,
                sla_targets=spec["sla_targets"],
                form_schema=spec["form_schema"],
                sort_order=order * 10,
            )


# ---------------------------------------------------------------- request types

TYPE_FIELDS = {
    "code",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "priorities",
    "default_priority",
    "sla_targets",
    "form_schema",
    "is_active",
    "sort_order",
    "serving_department",
}


def _require_catalog_manager(actor: Membership) -> None:
    if not actor.can("manage_catalog"):
        raise PermissionDenied(_("你无权执行此操作。"))


def _validate_type(request_type: RequestType) -> None:
    priorities = request_type.priorities
    valid = set(Priority.values)
    if not isinstance(priorities, list) or not priorities or not set(priorities) <= valid:
        raise ServiceError(_("优先级无效。"), field="priorities")
    if request_type.default_priority not in priorities:
        raise ServiceError(_("默认优先级必须是可选优先级之一。"), field="default_priority")
    if problems := validate_schema(request_type.form_schema):
        raise ServiceError(" ".join(problems), field="form_schema")
    if problems := validate_sla_targets(request_type.sla_targets, priorities):
        raise ServiceError(" ".join(problems), field="sla_targets")
    if not (request_type.name_zh or "").strip() or not (request_type.name_en or "").strip():
        raise ServiceError(_("请填写中英文名称。"), field="name_zh")


def request_type_create(
    *, actor: Membership, serving_department: Department, **fields: Any
) -> RequestType:
    _require_catalog_manager(actor)
    unknown = set(fields) - TYPE_FIELDS
    if unknown:
        raise ServiceError(_("未知字段。"), field=sorted(unknown)[0])
    with organization_scope(actor.organization_id), transaction.atomic():
        if serving_department.organization_id != actor.organization_id:
            raise ServiceError(_("部门不存在。"), field="serving_department")
        fields.setdefault("priorities", list(ALL_PRIORITIES))
        request_type = RequestType(
            organization_id=actor.organization_id, serving_department=serving_department, **fields
        )
        _validate_type(request_type)
        if RequestType.objects.filter(code=request_type.code).exists():
            raise ServiceError(_("代码已被使用。"), field="code")
        history_note(request_type, user=actor.user)
        try:
            with transaction.atomic():
                request_type.save()
        except IntegrityError as exc:
            raise ServiceError(_("代码已被使用。"), field="code") from exc
        return request_type


def request_type_update(
    *, request_type: RequestType, actor: Membership, **fields: Any
) -> RequestType:
    """Edit a type. Changing its SLA targets bumps the policy version and
    recomputes the open timers of its requests under the new targets."""
    _require_catalog_manager(actor)
    unknown = set(fields) - TYPE_FIELDS
    if unknown:
        raise ServiceError(_("未知字段。"), field=sorted(unknown)[0])
    with organization_scope(actor.organization_id), transaction.atomic():
        request_type = RequestType.objects.select_for_update().get(pk=request_type.pk)
        if "serving_department" in fields:
            department = fields["serving_department"]
            if department.organization_id != actor.organization_id:
                raise ServiceError(_("部门不存在。"), field="serving_department")
            if (
                department.pk != request_type.serving_department_id
                and request_type.requests.exists()
            ):
                raise ServiceError(_("已有请求的类型不能改换部门。"), field="serving_department")
        if (
            "code" in fields
            and fields["code"] != request_type.code
            and RequestType.objects.filter(code=fields["code"]).exists()
        ):
            raise ServiceError(_("代码已被使用。"), field="code")
        targets_changed = (
            "sla_targets" in fields and fields["sla_targets"] != request_type.sla_targets
        )
        for key, value in fields.items():
            setattr(request_type, key, value)
        _validate_type(request_type)
        if targets_changed:
            request_type.policy_version += 1
        history_note(request_type, user=actor.user)
        request_type.save()
        if targets_changed:
            sla_recompute_open(actor.organization, request_type=request_type, actor=actor.user)
        return request_type


# ---------------------------------------------------------------- calendars
