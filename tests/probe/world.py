"""The probe's world: an owner organization with one object of each kind,
an outsider organization, the owner's marker strings and a checksum of
everything the owner has.

Built through the demo loader's steps and the services (no knowledge of
table layouts), so it survives changes to the models behind them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from collab import tenancy
from departments.models import Membership
from departments.registry import demo_steps
from departments.roles import Role
from departments.tests.factories import OrganizationFactory, member, token_for

MARK = "PRBMARK"  # in every string the owner writes; never in the outsider's world
# The demo steps that make a small world ("other" plan); the history step
# (four months of timers) adds nothing the walk needs and takes seconds.
SLOW_STEPS = {"requests_sla.demo.history.load"}


def _attempt(what: str, made: dict, build) -> None:
    """One object of a kind, made through its service; a kind that cannot be
    made any more is reported (the routes needing it are then not filled)."""
    try:
        made[what] = build()
    except Exception as exc:  # noqa: BLE001 (reported, the walk goes on)
        made.setdefault("_failed", []).append(f"{what}: {exc!r}")


def build_world() -> dict:
    owner_org = OrganizationFactory(name=f"Owner Co {MARK}", slug="probe-owner")
    with demo_steps.only(*(n for n in demo_steps.names() if n not in SLOW_STEPS)):
        for step in demo_steps:
            step.run(organization=owner_org, key="other")
    outsider_org = OrganizationFactory(name="Outsider Co", slug="probe-outsider")
    outsider = member(outsider_org, role=Role.ORG_ADMIN, username="probe-outsider")
    # The outsider's own expense categories (the demo makes them, provisioning
    # does not): an expense line of their own then reaches the checks of the
    # other ids it carries (``lines.campaign_id``).
    from finance.tests.helpers import categories_for

    categories_for(outsider_org)
    world = {"owner_org": owner_org, "outsider_org": outsider_org, "outsider": outsider}
    # Someone of a third organization, whom the owner invites.
    world["invitee"] = member(OrganizationFactory(name="Elsewhere", slug="probe-elsewhere"))
    with tenancy.organization_scope(owner_org.id):
        _owner_objects(owner_org, world)
    world["markers"] = owner_markers(owner_org)
    # The outsider's own request, to act on with the owner's ids in bodies.
    from requests_sla.tests.factories import file_tech_support, membership_of

    try:
        file_tech_support(membership_of(outsider, outsider_org), title="outsider's own")
    except Exception as exc:  # noqa: BLE001 (reported, the walk goes on)
        world.setdefault("failed_kinds", []).append(f"outsider request: {exc!r}")
    return world


def _owner_objects(org, world: dict) -> None:
    from departments.services import invitation_create
    from requests_sla.escalation.services import sla_sweep
    from requests_sla.meetings import services as meetings
    from requests_sla.meetings.postmortems import postmortem_open
    from requests_sla.requests.models import Request
    from requests_sla.requests.services import attachment_add, comment_add
    from requests_sla.sla.models import BusinessCalendar
    from requests_sla.sla.services.calendars import calendar_exception_add
    from requests_sla.tests.factories import MONDAY_9AM, file_tech_support

    people = {m.role: m for m in Membership.objects.select_related("user", "organization")}
    admin, ops, rep = people[Role.ORG_ADMIN], people[Role.OPS_MANAGER], people[Role.SALES_REP]
    world["owner_admin"] = admin.user
    made: dict = {}
    _attempt("request", made, lambda: file_tech_support(rep, title=f"Probe request {MARK}"))
    request = made.get("request") or Request.objects.first()
    # A request long overdue, breached by the sweep: the post-mortem's late one.
    _attempt(
        "late_request",
        made,
        lambda: file_tech_support(rep, title=f"Late {MARK}", at=MONDAY_9AM),
    )
    _attempt("sweep", made, lambda: sla_sweep(organization_id=org.id))
    _attempt("comment", made, lambda: comment_add(request=request, actor=rep, body=f"note {MARK}"))
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    _attempt(
        "attachment",
        made,
        lambda: attachment_add(
            request=request,
            actor=rep,
            file=SimpleUploadedFile(f"{MARK}.pdf", pdf, content_type="application/pdf"),
        ),
    )
    when = timezone.now() + dt.timedelta(days=2)
    _attempt(
        "meeting",
        made,
        lambda: meetings.meeting_schedule(actor=ops, scheduled_at=when, title=f"Review {MARK}"),
    )
    if "meeting" in made:
        _attempt(
            "agenda_item",
            made,
            lambda: meetings.agenda_item_add(actor=ops, meeting=made["meeting"], request=request),
        )
    if "agenda_item" in made:
        _attempt(
            "action_item",
            made,
            lambda: meetings.action_item_add(
                actor=ops,
                item=made["agenda_item"],
                title=f"Fix {MARK}",
                owner=admin.user,
                due_date=timezone.localdate() + dt.timedelta(days=3),
            ),
        )
    _attempt(
        "postmortem",
        made,
        lambda: postmortem_open(
            organization=org,
            actor=ops,
            source_ref=f"probe:{MARK}",
            subject_label=f"Lost {MARK}",
            late_request_ids=[made.get("late_request", request).pk],
        ),
    )
    calendar = BusinessCalendar.objects.first()
    _attempt(
        "calendar_exception",
        made,
        lambda: calendar_exception_add(
            calendar=calendar, actor=admin, date=dt.date(2031, 5, 6), kind="holiday", name=MARK
        ),
    )
    invitee = world["invitee"]
    _attempt(
        "invitation",
        made,
        lambda: invitation_create(
            organization=org,
            user=invitee,
            email=invitee.email,
            role=Role.SALES_REP,
            department=None,
            actor=admin.user,
        ),
    )
    world["owner_token"] = token_for(admin.user)
    # The marked objects stand for their kind in the walk (their text is
    # what a leak would show). A service may answer (object, extra).
    world["made_ids"] = {}
    for value in made.values():
        obj = value[0] if isinstance(value, tuple) else value
        if hasattr(obj, "_meta") and obj.pk:
            world["made_ids"].setdefault(obj._meta.model_name, obj.pk)
    world["failed_kinds"] = made.get("_failed", []) + world.get("failed_kinds", [])


def tenant_models() -> list:
    """Every model with an ``organization`` column (history tables too)."""
    return [
        m
        for m in apps.get_models()
        if any(f.name == "organization" for f in m._meta.concrete_fields)
    ]


def owner_ids(owner_org) -> dict[str, int]:
    """The owner's first row of each tenant model, by lower-case model name
    (plus ``apitoken`` for its admin's key, a per-person table)."""
    from departments.models import ApiToken

    ids = {}
    # In the owner's scope: row-level security hides tenant rows (history and
    # through tables too) from the app role without one.
    with tenancy.organization_scope(owner_org.pk):
        for model in tenant_models():
            manager = getattr(model, "unscoped", model._base_manager)
            pk = (
                manager.filter(organization=owner_org)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if pk is not None:
                ids[model._meta.model_name] = pk
    users = _owner_user_ids(owner_org)
    token = ApiToken.objects.filter(user__in=users).order_by("pk").first()
    if token is not None:
        ids["apitoken"] = token.pk
    ids["organization"] = owner_org.pk
    ids["user"] = min(users)
    return ids


def _owner_user_ids(owner_org) -> list[int]:
    """The owner's people, as a list: a ``Membership.unscoped`` queryset used
    as a subquery of a query on a per-person table (users, API keys) is
    compiled into that statement and so runs under row-level security with
    no scope, where it finds nobody (no API key id, no person's markers)."""
    users = list(
        Membership.unscoped.filter(organization=owner_org).values_list("user_id", flat=True)
    )
    assert users, "the owner has people"
    return users


def owner_markers(owner_org) -> set[str]:
    """Strings only the owner's world contains: every marked text plus the
    owner's people (usernames, emails) and the slug of the organization."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=_owner_user_ids(owner_org))
    markers = {MARK, owner_org.slug}
    for username, email in users.values_list("username", "email"):
        markers.update({username, email})
    return {m for m in markers if len(m) >= 6}


def owner_checksum(owner_org) -> str:
    """One digest over every row the owner has (tenant tables and the
    owner's users and API keys), to prove a walk changed nothing."""
    from departments.models import ApiToken

    parts, params = [], []
    for model in tenant_models():
        table, pk = model._meta.db_table, model._meta.pk.column
        parts.append(
            f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t.{pk}), '')) "
            f"FROM {table} t WHERE organization_id = %s"
        )
        params.append(owner_org.pk)
    user_ids = f"SELECT user_id FROM {Membership._meta.db_table} WHERE organization_id = %s"
    user_table = Membership._meta.get_field("user").related_model._meta.db_table
    for table in (user_table, ApiToken._meta.db_table):
        column = "id" if table == user_table else "user_id"
        parts.append(
            f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
            f"FROM {table} t WHERE {column} IN ({user_ids})"
        )
        params.append(owner_org.pk)
    # In the owner's scope: row-level security shows the app role no tenant
    # row without one, and a digest of nothing would prove nothing.
    with tenancy.organization_scope(owner_org.pk), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall())
    empty = hashlib.md5(b"", usedforsecurity=False).hexdigest()
    assert sum(digest != empty for _table, digest in rows) >= 10, "the digest sees no rows"
    return hashlib.sha256(repr(rows).encode()).hexdigest()
