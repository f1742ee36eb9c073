"""Releases and the loop back to the business: when a release ships, every
backer, every linked deal's owner and Customer Success hear of it, and each
linked open deal gets a note on its page."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from requests_sla.notifications.models import NotificationKind
from requests_sla.notifications.services import notifications_send
from roadmap import permissions
from roadmap.models import Backer, DealNote, Release, Requirement, State
from roadmap.services.audience import backer_user_ids, department_head_ids, working_minutes
from roadmap.services.requirements import require, requirement_transition

if TYPE_CHECKING:
    from departments.models import Membership


def release_create(*, actor: Membership, version: str, planned_on: dt.date) -> Release:
    require(permissions.can_manage_releases(actor))
    version = (version or "").strip()
    if not version or len(version) > 40:
        raise ServiceError(_("请填写版本号（最多 40 个字符）。"), field="version")
    try:
        with transaction.atomic():
            return Release.objects.create(
                organization_id=actor.organization_id, version=version, planned_on=planned_on
            )
    except IntegrityError:
        raise ServiceError(_("该版本号已存在。"), field="version") from None


def requirement_develop(
    *,
    actor: Membership,
    requirement: Requirement,
    release: Release,
    at: dt.datetime | None = None,
) -> Requirement:
    """An accepted requirement goes into a release's development."""
    require(permissions.can_manage_releases(actor))
    at = at or timezone.now()
    if release.shipped_at is not None:
        raise ServiceError(_("该版本已上线。"), field="release")
    with transaction.atomic():
        requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
        requirement.release = release
        return requirement_transition(
            requirement, State.IN_DEVELOPMENT, actor=actor, at=at, fields=["release"]
        )


def release_ship(
    *, actor: Membership, release: Release, at: dt.datetime | None = None
) -> list[Requirement]:
    """Ship the release: its requirements are shipped, and the business hears it."""
    require(permissions.can_manage_releases(actor))
    at = at or timezone.now()
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.shipped_at is not None:
            raise ServiceError(_("该版本已上线。"), field="release")
        release.shipped_at = at
        release.save(update_fields=["shipped_at"])
        shipped = list(
            Requirement.objects.select_for_update().filter(
                release=release, state__in=[State.ACCEPTED, State.IN_DEVELOPMENT]
            )
        )
        cs_heads = department_head_ids("customer_success")
        for requirement in shipped:
            requirement.shipped_at = at
            if requirement.decided_at is not None:
                requirement.ship_minutes = working_minutes(
                    requirement.organization_id, requirement.decided_at, at
                )
            requirement_transition(
                requirement,
                State.SHIPPED,
                actor=actor,
                at=at,
                reason="ship",
                fields=["shipped_at", "ship_minutes"],
            )
            _deal_notes(requirement, release, at)
            notifications_send(
                organization_id=requirement.organization_id,
                recipient_ids=backer_user_ids(requirement) | cs_heads,
                kind=NotificationKind.RESOLVED,
                params={
                    "ref": requirement.reference,
                    "title": requirement.title,
                    "reason": _("已在 %(version)s 上线") % {"version": release.version},
                },
                link=reverse("roadmap:requirement", args=[requirement.pk]),
                at=at,
            )
        return shipped


def _deal_notes(requirement: Requirement, release: Release, at: dt.datetime) -> None:
    """A note on every linked open deal's page."""
    deal_ids = Backer.objects.filter(
        requirement=requirement,
        opportunity__isnull=False,
        opportunity__stage__is_won=False,
        opportunity__stage__is_lost=False,
    ).values_list("opportunity_id", flat=True)
    DealNote.objects.bulk_create(
        (
            DealNote(
                organization_id=requirement.organization_id,
                opportunity_id=deal_id,
                requirement=requirement,
                release=release,
                created_at=at,
            )
            for deal_id in deal_ids
        ),
        ignore_conflicts=True,
    )
