"""Filing a request: validate against the type's schema, plan the timers, write once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from departments.models import Department, Membership, Organization
from requests_sla.catalog.form_schema import file_keys, link_check, link_ids, validate_values
from requests_sla.catalog.links import LINK_TYPES, link_customer_name, link_save
from requests_sla.catalog.models import RequestType
from requests_sla.notifications.models import NotificationKind
from requests_sla.notifications.services import email_release_at
from requests_sla.requests import hooks, permissions
from requests_sla.requests.models import (
    Attachment,
    Request,
    RequestCounter,
)
from requests_sla.requests.services.common import (
    SchemaError,
    acting,
    attachment_store,
    attachment_validate,
    request_notify,
    request_save,
    serving_heads,
)
from requests_sla.sla.services import (
    sla_summary,
    timers_insert,
    timers_plan,
)


def request_counter_provision(*, organization: Organization) -> None:
    """Give a new organization its request counter (idempotent). Filing would
    create the row itself; bulk loads set ``last_number`` on it directly."""
    with organization_scope(organization.id):
        RequestCounter.objects.get_or_create(organization=organization)


def _next_number(organization_id: int) -> int:
    # One statement, atomic under concurrency: the unique row per organization
    # is created or incremented and its new value returned.
    table = RequestCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organization_id, last_number) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (organization_id) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [organization_id],
        )
        return int(cursor.fetchone()[0])


def _links_given(
    actor: Membership, account_id: int | None, opportunity_id: int | None
) -> dict[str, int | None]:
    """Check the customer/deal the caller linked (``account_id``/``opportunity_id``
    arguments): it must exist in the organization and be visible to the actor
    (the checks registered with ``catalog.links``). A deal alone brings its account."""
    links: dict[str, int | None] = {"account_id": account_id, "opportunity_id": opportunity_id}
    for field, value in links.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise ServiceError(_("请输入有效的编号。"), field=field)
    if opportunity_id is not None:
        try:
            deal_account = link_check(
                "opportunity", opportunity_id, organization_id=actor.organization_id, actor=actor
            )
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="opportunity_id") from None
        if isinstance(deal_account, int):
            if account_id is None:
                links["account_id"] = deal_account
            elif account_id != deal_account:
                raise ServiceError(_("该商机不属于所选客户。"), field="opportunity_id")
    if account_id is not None:
        try:
            link_check("account", account_id, organization_id=actor.organization_id, actor=actor)
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="account_id") from None
    return links


def _with_links(
    schema: list[dict[str, Any]], extra: object, links: Mapping[str, int | None]
) -> object:
    """Fill the type's empty account/opportunity fields from the given links,
    so a required link field is satisfied by the one "customer / deal" field."""
    if extra is not None and not isinstance(extra, Mapping):
        return extra  # validate_values reports it
    extra = dict(extra or {})
    for field in schema:
        kind = field.get("type")
        value = links.get(f"{kind}_id") if kind in LINK_TYPES else None
        if value is not None and extra.get(field["key"]) in (None, ""):
            extra[field["key"]] = value
    return extra


def _customer_from_link(
    actor: Membership,
    schema: list[dict[str, Any]],
    extra: Any,
    links: Mapping[str, int | None],
) -> Any:
    """Fill the empty fields the link answers (``from_link``: 客户名称) with the
    linked customer's name, so the API and the page never ask for it twice."""
    keys = [f["key"] for f in schema if f.get("from_link") == "customer"]
    if not isinstance(extra, dict) or not any(extra.get(k) in (None, "") for k in keys):
        return extra
    kind = "opportunity" if links.get("opportunity_id") else "account"
    value = links.get(f"{kind}_id")
    if value is None:
        return extra
    name = link_customer_name(kind, value, organization_id=actor.organization_id, actor=actor)
    for key in keys:
        if name and extra.get(key) in (None, ""):
            extra[key] = name
    return extra


def _links_from_schema(
    actor: Membership, schema: list[dict[str, Any]], cleaned: Mapping[str, Any]
) -> dict[str, int | None]:
    """The links entered in the type's own fields, checked against what the
    actor may see (errors keyed by the schema field)."""
    links = link_ids(schema, cleaned)
    keys = {
        f"{f['type']}_id": f["key"]
        for f in reversed(schema)
        if f.get("type") in LINK_TYPES and f["key"] in cleaned
    }
    for kind in ("opportunity", "account"):
        value = links[f"{kind}_id"]
        if value is None:
            continue
        try:
            result = link_check(kind, value, organization_id=actor.organization_id, actor=actor)
        except ValidationError as exc:
            raise SchemaError({keys[f"{kind}_id"]: list(exc.messages)}) from None
        if kind == "opportunity" and isinstance(result, int) and links["account_id"] is None:
            links["account_id"] = result
    return links


def request_file(
    *,
    actor: Membership,
    request_type: RequestType,
    priority: str = "",
    title: str,
    description: str = "",
    extra: Mapping[str, Any] | None = None,
    files: Mapping[str, UploadedFile] | None = None,
    serving_department: Department | None = None,
    requesting_department: Department | None = None,
    watchers: Iterable[Any] = (),
    account_id: int | None = None,
    opportunity_id: int | None = None,
    at: dt.datetime | None = None,
) -> Request:
    """File a request with a department and start its SLA timers.

    ``account_id``/``opportunity_id`` link it to the customer or deal it is
    for (a deal alone brings its account); they also fill the type's empty
    account/opportunity fields. Links in those fields count when no argument
    is given. Either way the ids are checked for the actor (see
    the checks registered with ``catalog.links``)."""
    if not actor.can("file_requests"):
        raise permissions.PermissionDenied(_("你无权提交协作请求。"))
    with acting(actor, at) as at:
        org_id = actor.organization_id
        serving_department = _serving_checked(org_id, request_type, serving_department)
        priority = _priority_checked(request_type, priority)
        title = _title_checked(title)
        if requesting_department is None:
            requesting_department = actor.department
        elif requesting_department.organization_id != org_id:
            raise ServiceError(_("部门不存在。"), field="requesting_department")
        schema = request_type.form_schema or []
        files = {k: v for k, v in (files or {}).items() if v and k in file_keys(schema)}
        cleaned, links = _values_checked(actor, schema, extra, files, account_id, opportunity_id)
        watcher_users = _watchers_checked(watchers)

        request = Request(
            organization_id=org_id,
            requester=actor.user,
            requesting_department=requesting_department,
            serving_department=serving_department,
            request_type=request_type,
            priority=priority,
            title=title,
            description=(description or "").strip(),
            extra=cleaned,
            created_at=at,
        )
        planned = timers_plan(request=request, at=at, actor=actor.user)
        request.sla_due_at, request.sla_state = sla_summary(timer for timer, _ in planned)
        heads, after_save = _reads_before_the_counter(request, actor, at)
        # Taken last: the counter row stays locked until commit, so concurrent
        # filings in one organization queue only for the writes, not the reads.
        request.number = _next_number(org_id)
        request_save(request, actor, at, "file")
        link_save(request, **links)
        if watcher_users:
            request.watchers.add(*watcher_users, through_defaults={"organization_id": org_id})
        attachments = _files_attach(request, actor, files, cleaned, at)
        # The filer sees what was filed without reading it back: the timers
        # ride along under the name request_list's prefetch gives them, the
        # watchers and attachments as ``filed_*`` (see selectors.request_filed).
        request.current_timers = timers_insert(planned)  # type: ignore[attr-defined]
        request.filed_watchers = watcher_users  # type: ignore[attr-defined]
        request.filed_attachments = attachments  # type: ignore[attr-defined]
        # A new request in the queue: the serving department's heads hear of it.
        request_notify(request, actor, at, NotificationKind.NEW_REQUEST, heads["emails"], **heads)
        for then in after_save:
            then()  # an approval chain, if the type has one
        return request


def _reads_before_the_counter(
    request: Request, actor: Membership, at: dt.datetime
) -> tuple[dict[str, Any], list[Callable[[], object]]]:
    """What filing reads before it takes the organization's counter (held
    until commit): the serving department's heads to tell, when their
    emails may go out (none to send: not read), and what the filed hooks
    need (the type's approval chain). Returns ``request_notify``'s keyword
    arguments for the heads, and what the hooks run after the save."""
    emails = serving_heads(request.serving_department_id)
    mailed = any(email for user_id, email in emails.items() if user_id != actor.user_id)
    release = email_release_at(actor.organization_id, at) if mailed else None
    heads = {"emails": emails, "release_at": release}
    return heads, hooks.filed_prepare(request=request, actor=actor, at=at)


def _serving_checked(
    org_id: int, request_type: RequestType, serving_department: Department | None
) -> Department:
    """The department that serves the request: the type's own, in this organization."""
    if request_type.organization_id != org_id:
        raise ServiceError(_("请求类型不存在。"), field="request_type")
    if serving_department is None:
        serving_department = request_type.serving_department
    if serving_department.organization_id != org_id:
        raise ServiceError(_("部门不存在。"), field="serving_department")
    if request_type.serving_department_id != serving_department.pk:
        raise ServiceError(_("该请求类型不属于所选部门。"), field="request_type")
    if not request_type.is_active:
        raise ServiceError(_("该请求类型已停用。"), field="request_type")
    return serving_department


def _priority_checked(request_type: RequestType, priority: str) -> str:
    priority = priority or request_type.default_priority
    if priority not in (request_type.priorities or []) or not request_type.targets_for(priority):
        raise ServiceError(_("该请求类型不支持此优先级。"), field="priority")
    return priority


def _title_checked(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("请填写标题。"), field="title")
    if len(title) > 200:
        raise ServiceError(_("最多 %(n)s 个字符。") % {"n": 200}, field="title")
    return title


def _values_checked(
    actor: Membership,
    schema: list[dict[str, Any]],
    extra: Mapping[str, Any] | None,
    files: Mapping[str, UploadedFile],
    account_id: int | None,
    opportunity_id: int | None,
) -> tuple[dict[str, Any], dict[str, int | None]]:
    """The type's form values, cleaned (uploads checked too; every problem
    at once, as a ``SchemaError``), and the request's links: the ones given,
    else the ones entered in the type's own link fields."""
    given = _links_given(actor, account_id, opportunity_id)
    values = _with_links(schema, extra, given)
    values = _customer_from_link(actor, schema, values, given)
    # The given links were checked with the actor above: not looked up again.
    cleaned, errors = validate_values(
        schema, values, files=files, organization_id=actor.organization_id, checked=given
    )
    for key, file in files.items():
        try:
            attachment_validate(file)
        except ServiceError as exc:
            errors[key] = [exc.message]
    if errors:
        raise SchemaError(errors)
    if None in given.values():
        from_schema = _links_from_schema(actor, schema, cleaned)
        given = {k: v if v is not None else from_schema[k] for k, v in given.items()}
    return cleaned, given


def _watchers_checked(watchers: Iterable[Any]) -> list[Any]:
    """The watchers, every one an active member of the organization."""
    watcher_users = list(watchers)
    if not watcher_users:
        return watcher_users
    members = set(
        Membership.objects.filter(user__in=watcher_users, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    for user in watcher_users:
        if user.pk not in members:
            raise ServiceError(_("关注人必须是本企业成员。"), field="watchers")
    return watcher_users


def _files_attach(
    request: Request,
    actor: Membership,
    files: Mapping[str, UploadedFile],
    cleaned: dict[str, Any],
    at: dt.datetime,
) -> list[Attachment]:
    """Store the form's uploads as attachments; each file field's value
    becomes its attachment's id."""
    attachments = []
    if files:
        for key, file in files.items():
            # Checked with the form's values (``_values_checked``), before any write.
            attachment = attachment_store(
                request=request, actor=actor, file=file, at=at, field_key=key
            )
            attachments.append(attachment)
            cleaned[key] = attachment.pk
        request.extra = cleaned
        Request.objects.filter(pk=request.pk).update(extra=cleaned)
    return attachments
