"""Writes of the library: create an asset (its first version), edit its
title, summary and tags, publish a new version, publish a draft, retire and
restore. Each runs in one transaction, checks who acts, reindexes the search
text when the text changed and leaves a history-free audit in the versions
themselves (who published which version, when, and what changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from departments.models import Department, Membership
from enablement import permissions
from enablement.library import search, validation
from enablement.library.models import (
    Asset,
    AssetFile,
    AssetStatus,
    AssetVersion,
)
from requests_sla.requests.services import attachment_validate

MAX_FILES = 10
# Called (asset, version, actor) after a new version is published: the usage
# package tells the reps who used the asset on open deals (it sits above).
_published_hooks: list[Callable[[Asset, AssetVersion, Membership], None]] = []


def version_published_hook_register(
    hook: Callable[[Asset, AssetVersion, Membership], None],
) -> None:
    if hook not in _published_hooks:
        _published_hooks.append(hook)


@dataclass
class AssetFields:
    """What describes an asset (the asset's, not a version's)."""

    kind: str
    title_zh: str
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    industry: str = ""
    stages: Sequence[str] = ()
    pain_points: Sequence[str] = ()
    products: Sequence[str] = ()
    customer_size: str = ""


@dataclass
class VersionContent:
    """What a version holds."""

    body: str = ""
    sections: Mapping[str, Any] | None = None
    change_note: str = ""
    files: Sequence[UploadedFile] = field(default_factory=list)


def _checked_fields(fields: AssetFields) -> dict[str, Any]:
    return {
        "kind": validation.kind(fields.kind),
        "title_zh": validation.text(fields.title_zh, "title_zh", max_length=200, required=True),
        "title_en": validation.text(fields.title_en, "title_en", max_length=200),
        "summary_zh": validation.text(fields.summary_zh, "summary_zh", max_length=2000),
        "summary_en": validation.text(fields.summary_en, "summary_en", max_length=2000),
        "industry": validation.industry(fields.industry),
        "stages": validation.stages(fields.stages),
        "pain_points": validation.tags(fields.pain_points, "pain_points"),
        "products": validation.tags(fields.products, "products"),
        "customer_size": validation.customer_size(fields.customer_size),
    }


def _checked_content(content: VersionContent, *, note_required: bool) -> dict[str, Any]:
    if len(content.files) > MAX_FILES:
        raise ServiceError(_("最多上传 %(n)s 个文件。") % {"n": MAX_FILES}, field="files")
    for upload in content.files:
        attachment_validate(upload)  # the request attachments' size, type and content checks
    return {
        "body": validation.text(content.body, "body", max_length=200_000),
        "sections": validation.sections(content.sections),
        "change_note": validation.text(
            content.change_note, "change_note", max_length=500, required=note_required
        ),
    }


def _owner_department(actor: Membership, department: Department | None) -> Department:
    if department is None:
        department = actor.department
    if department is None or department.code not in permissions.OWNER_DEPARTMENTS:
        raise ServiceError(
            _("资料只能归属市场部、产品管理部或人力资源部。"), field="owner_department"
        )
    if not permissions.is_admin(actor) and department.pk != actor.department_id:
        raise ServiceError(_("只能为本部门创建资料。"), field="owner_department")
    return department


def asset_reindex(asset: Asset, version: AssetVersion) -> None:
    """Rewrite the asset's search vectors from its text and ``version``'s."""
    search.reindex(asset, version)


def _version_write(
    asset: Asset,
    actor: Membership,
    content: dict[str, Any],
    files: Sequence[UploadedFile],
    at: dt.datetime,
) -> AssetVersion:
    version = AssetVersion.objects.create(
        organization_id=asset.organization_id,
        asset=asset,
        number=asset.version,
        created_by=actor.user,
        created_at=at,
        **content,
    )
    for upload in files:
        AssetFile.objects.create(
            organization_id=asset.organization_id,
            version=version,
            file=upload,
            original_name=(upload.name or "file").rsplit("/", 1)[-1][:255],
            size=upload.size or 0,
            content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
            uploaded_by=actor.user,
            created_at=at,
        )
    return version


def asset_create(
    *,
    actor: Membership,
    fields: AssetFields,
    content: VersionContent,
    department: Department | None = None,
    publish: bool = False,
    at: dt.datetime | None = None,
) -> Asset:
    """A new asset with its first version; a draft unless ``publish``."""
    if not permissions.can_author(actor):
        raise ServiceError(_("只有市场部、产品管理部和人力资源部可以创建资料。"))
    at = at or timezone.now()
    with transaction.atomic():
        owner = _owner_department(actor, department)
        values = _checked_fields(fields)
        checked = _checked_content(content, note_required=False)
        asset = Asset.objects.create(
            organization_id=actor.organization_id,
            owner_department=owner,
            created_by=actor.user,
            created_at=at,
            updated_at=at,
            status=AssetStatus.PUBLISHED if publish else AssetStatus.DRAFT,
            published_at=at if publish else None,
            version=1,
            **values,
        )
        version = _version_write(asset, actor, checked, content.files, at)
        asset_reindex(asset, version)
        return asset


def _locked(asset: Asset, actor: Membership) -> Asset:
    if not permissions.can_edit(actor, asset):
        raise ServiceError(_("只有资料所属部门可以修改它。"))
    return Asset.objects.select_for_update().get(pk=asset.pk)


def asset_update(*, actor: Membership, asset: Asset, fields: AssetFields) -> Asset:
    """Change the title, summary and tags (not a new version)."""
    with transaction.atomic():
        asset = _locked(asset, actor)
        for name, value in _checked_fields(fields).items():
            setattr(asset, name, value)
        asset.updated_at = timezone.now()
        asset.save()
        asset_reindex(asset, asset.versions.get(number=asset.version))
        return asset


def asset_version_publish(
    *, actor: Membership, asset: Asset, content: VersionContent, at: dt.datetime | None = None
) -> AssetVersion:
    """Publish a new version: the old ones stay readable; "what changed" is
    required; the reps who used the asset on open deals are told."""
    at = at or timezone.now()
    with transaction.atomic():
        asset = _locked(asset, actor)
        if asset.status == AssetStatus.RETIRED:
            raise ServiceError(_("已下架的资料不能发布新版本，请先恢复。"))
        checked = _checked_content(content, note_required=True)
        asset.version += 1
        asset.status = AssetStatus.PUBLISHED
        asset.published_at = asset.published_at or at
        asset.updated_at = at
        asset.save()
        version = _version_write(asset, actor, checked, content.files, at)
        asset_reindex(asset, version)
        for hook in _published_hooks:
            hook(asset, version, actor)
        return version


def asset_publish(*, actor: Membership, asset: Asset, at: dt.datetime | None = None) -> Asset:
    """A draft (or a retired asset, restored) becomes searchable."""
    at = at or timezone.now()
    with transaction.atomic():
        asset = _locked(asset, actor)
        if asset.status == AssetStatus.PUBLISHED:
            raise ServiceError(_("资料已经发布。"))
        asset.status = AssetStatus.PUBLISHED
        asset.published_at = asset.published_at or at
        asset.retired_at = None
        asset.updated_at = at
        asset.save()
        return asset


def asset_retire(*, actor: Membership, asset: Asset, at: dt.datetime | None = None) -> Asset:
    """Hidden from search and suggestions; its links still open, with a notice."""
    at = at or timezone.now()
    with transaction.atomic():
        asset = _locked(asset, actor)
        if asset.status != AssetStatus.PUBLISHED:
            raise ServiceError(_("只有已发布的资料可以下架。"))
        asset.status = AssetStatus.RETIRED
        asset.retired_at = at
        asset.updated_at = at
        asset.save()
        return asset
