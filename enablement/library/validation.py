"""The checks of an asset's fields before anything is written: each raises
``ServiceError`` naming the field, so forms and the API show it beside the
input (never a 500, never half a write)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from collab.errors import ServiceError
from enablement.library.models import AssetKind, CustomerSize
from pipeline.models import Industry, Stage

MAX_TAGS = 12
MAX_TAG_LENGTH = 40
MAX_SECTION_ITEMS = 50
MAX_SECTION_TEXT = 2000
SECTION_KEYS = ("objections", "key_messages", "proof_points")


def text(value: str, field: str, *, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ServiceError(_("不能包含空字符。"), field=field)
    if required and not value:
        raise ServiceError(_("此项为必填项。"), field=field)
    if len(value) > max_length:
        raise ServiceError(
            _("最多 %(n)s 个字符（现在 %(m)s 个）。") % {"n": max_length, "m": len(value)},
            field=field,
        )
    return value


def kind(value: str) -> str:
    if value not in AssetKind.values:
        raise ServiceError(_("请选择资料类型。"), field="kind")
    return value


def industry(value: str) -> str:
    value = (value or "").strip()
    if value and value not in Industry.values:
        raise ServiceError(_("未知的行业：%(v)s。") % {"v": value}, field="industry")
    return value


def customer_size(value: str) -> str:
    value = (value or "").strip()
    if value not in CustomerSize.values:
        raise ServiceError(_("未知的客户规模：%(v)s。") % {"v": value}, field="customer_size")
    return value


def tags(values: Iterable[str], field: str) -> list[str]:
    out: list[str] = []
    for raw in values:
        value = text(str(raw), field, max_length=MAX_TAG_LENGTH)
        if value and value not in out:
            out.append(value)
    if len(out) > MAX_TAGS:
        raise ServiceError(_("最多 %(n)s 个标签。") % {"n": MAX_TAGS}, field=field)
    return out


def stages(values: Iterable[str]) -> list[str]:
    wanted = tags(values, "stages")
    known = set(Stage.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ServiceError(_("未知的销售阶段：%(v)s。") % {"v": "、".join(unknown)}, field="stages")
    return wanted


def _item(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise ServiceError(_("每一项都应是文字。"), field=field)
    return text(value, field, max_length=MAX_SECTION_TEXT)


def sections(value: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """A talk-track toolkit's structure: objections (question and answer),
    key messages, proof points — plain text only (shown escaped)."""
    value = value or {}
    if not isinstance(value, Mapping) or set(value) - set(SECTION_KEYS):
        raise ServiceError(
            _("结构化内容只能有：异议与回答、关键信息、证明材料。"), field="sections"
        )
    out: dict[str, list[Any]] = {}
    objections = []
    for pair in value.get("objections") or []:
        if not isinstance(pair, Mapping):
            raise ServiceError(_("每条异议需要问题和回答。"), field="sections")
        q, a = _item(pair.get("q", ""), "sections"), _item(pair.get("a", ""), "sections")
        if q or a:
            if not (q and a):
                raise ServiceError(_("每条异议需要问题和回答。"), field="sections")
            objections.append({"q": q, "a": a})
    for key in ("key_messages", "proof_points"):
        items = [_item(v, "sections") for v in (value.get(key) or [])]
        out[key] = [v for v in items if v]
    out["objections"] = objections
    if any(len(v) > MAX_SECTION_ITEMS for v in out.values()):
        raise ServiceError(_("每部分最多 %(n)s 条。") % {"n": MAX_SECTION_ITEMS}, field="sections")
    return {k: v for k, v in out.items() if v}
