"""Request-type form schemas: validation shared by the HTML form and the API.

A schema is a JSON list of fields::

    {"key": "customer", "label_zh": "客户名称", "label_en": "Customer name",
     "type": "text", "required": true, "choices": [...], "help_zh": "", "help_en": ""}

``validate_values(schema, values)`` returns ``(cleaned, errors)`` where
``errors`` maps the field key to a list of messages. Types ``account`` and
``opportunity`` take an integer id; the app that owns customers and deals
registers its existence checks with ``catalog.links`` (each callable
``(value, *, organization_id, actor=None)`` raising
``django.core.exceptions.ValidationError``), so this app never imports it.
``"from_link": "customer"`` marks a field the request's customer/deal link
answers (filled from it, hidden while linked); ``"as_description": true``
marks the field that is the request's description (the generic one is then
not asked). ``file`` fields are uploads: their values are passed separately and stored as
attachments; ``validate_values`` only checks required ones were given.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collab import money, parsing
from departments.models import bilingual
from requests_sla.catalog.links import LINK_TYPES, link_checker

FIELD_TYPES = (
    "text",
    "long_text",
    "number",
    "money",
    "date",
    "choice",
    "file",
    "account",
    "opportunity",
)
TEXT_MAX = 500
LONG_TEXT_MAX = 10_000
NUMBER_MAX = 10**15
TIMER_UNITS = ("calendar_hours", "working_hours", "working_days")


def label(field: Mapping) -> str:
    return bilingual(field.get("label_zh", ""), field.get("label_en", "")) or field["key"]


def help_text(field: Mapping) -> str:
    return bilingual(field.get("help_zh", ""), field.get("help_en", ""))


def choice_pairs(field: Mapping) -> list[tuple[str, str]]:
    pairs = []
    for choice in field.get("choices") or []:
        if isinstance(choice, Mapping):
            value = str(choice.get("value", ""))
            pairs.append(
                (value, bilingual(choice.get("label_zh", ""), choice.get("label_en", "")) or value)
            )
        else:
            pairs.append((str(choice), str(choice)))
    return pairs


def file_keys(schema: Iterable[Mapping]) -> list[str]:
    return [f["key"] for f in schema if f.get("type") == "file"]


# ---------------------------------------------------------------- schema checks


def validate_schema(schema: Any) -> list[str]:
    """Problems with a schema itself (for the catalog editor and the API)."""
    if not isinstance(schema, list):
        return [_("表单字段必须是列表。")]
    problems: list[str] = []
    seen: set[str] = set()
    for index, field in enumerate(schema, start=1):
        if not isinstance(field, Mapping):
            problems.append(_("第 %(n)s 个字段格式不正确。") % {"n": index})
            continue
        key = field.get("key")
        if not isinstance(key, str) or not key.isidentifier():
            problems.append(_("第 %(n)s 个字段的代码无效。") % {"n": index})
        elif key in seen:
            problems.append(_("字段代码 %(key)s 重复。") % {"key": key})
        else:
            seen.add(key)
        if field.get("type") not in FIELD_TYPES:
            problems.append(_("第 %(n)s 个字段的类型无效。") % {"n": index})
        if field.get("type") == "choice" and not choice_pairs(field):
            problems.append(_("第 %(n)s 个字段是选择题，但没有选项。") % {"n": index})
        if not (field.get("label_zh") or field.get("label_en")):
            problems.append(_("第 %(n)s 个字段缺少名称。") % {"n": index})
    return problems


# The bounds of an SLA amount per unit: at least one minute, at most what
# the engine can add to a date before 2100 (10,000 hours, 1,000 working days).
TARGET_BOUNDS = {
    "calendar_hours": (Decimal(1) / 60, Decimal(10_000)),
    "working_hours": (Decimal(1) / 60, Decimal(10_000)),
    "working_days": (Decimal(1), Decimal(1_000)),
}


def target_amount_problem(unit: Any, amount: Any) -> str | None:
    """What is wrong with an SLA amount in ``unit``, or None. The one bound
    shared by the catalog form, the API and the service."""
    if unit not in TIMER_UNITS:
        return _("时限单位无效。")
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        return _("时限必须是数字。")
    value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    low, high = TARGET_BOUNDS[unit]
    if not value.is_finite() or not low <= value <= high:
        if unit == "working_days":
            return _("工作日时限须在 1 到 1,000 之间。")
        return _("小时时限须在 1 分钟到 10,000 小时之间。")
    if unit == "working_days" and value != value.to_integral_value():
        return _("工作日时限须为整数。")
    return None


def _validate_target(target: Any) -> bool:
    if not isinstance(target, Mapping):
        return False
    return target_amount_problem(target.get("unit"), target.get("amount")) is None


def validate_sla_targets(targets: Any, priorities: Iterable[str]) -> list[str]:
    """Problems with a type's SLA targets: every priority needs a response and a
    resolution target; milestones are optional and need a unique key."""
    if not isinstance(targets, Mapping):
        return [_("SLA 时限必须是按优先级组织的对象。")]
    problems: list[str] = []
    for priority in priorities:
        policy = targets.get(priority)
        if not isinstance(policy, Mapping):
            problems.append(_("优先级 %(p)s 缺少 SLA 时限。") % {"p": priority})
            continue
        for kind in ("response", "resolution"):
            target = policy.get(kind)
            problem = (
                target_amount_problem(target.get("unit"), target.get("amount"))
                if isinstance(target, Mapping)
                else _("时限设置无效。")
            )
            if problem:
                problems.append(
                    _("优先级 %(p)s 的 %(kind)s 时限无效：%(problem)s")
                    % {"p": priority, "kind": kind, "problem": problem}
                )
        keys = set()
        for milestone in policy.get("milestones") or []:
            key = milestone.get("key") if isinstance(milestone, Mapping) else None
            if (
                not key
                or key in ("response", "resolution")
                or key in keys
                or not _validate_target(milestone)
            ):
                problems.append(_("优先级 %(p)s 的里程碑设置无效。") % {"p": priority})
            keys.add(key)
    return problems


# ---------------------------------------------------------------- values


def link_check(kind: str, value: int, *, organization_id: int, actor=None) -> Any:
    """Run the pipeline's validator for an account/opportunity id, with the
    acting membership when the validator takes one (so an id the actor may
    not see is refused too). Returns what the validator returns: the
    opportunity validator gives the id of the deal's account. Raises
    ``ValidationError``; with no validator configured, any id passes."""
    validator = link_checker(kind)
    if validator is None:
        return None
    if actor is not None and "actor" in inspect.signature(validator).parameters:
        return validator(value, organization_id=organization_id, actor=actor)
    return validator(value, organization_id=organization_id)


def _clean_one(
    field: Mapping, raw: Any, organization_id: int | None, checked: Mapping[str, Any]
) -> Any:
    """Return the JSON-ready value or raise ValidationError."""
    kind = field.get("type")
    if kind in ("text", "long_text"):
        return _clean_text(raw, TEXT_MAX if kind == "text" else LONG_TEXT_MAX)
    if kind == "money":
        # JSON numbers arrive as floats: their text ("12.5", "inf") is what was sent.
        return str(money.parse_amount(str(raw) if isinstance(raw, float) else raw))
    if kind == "number":
        number = _clean_number(raw)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        return _clean_date(raw)
    if kind == "choice":
        allowed = {value for value, _label in choice_pairs(field)}
        if str(raw) not in allowed:
            raise ValidationError(_("请选择列表中的选项。"))
        return str(raw)
    if kind in LINK_TYPES:
        return _clean_link(kind, raw, organization_id, checked)
    raise ValidationError(_("不支持的字段类型。"))


def _clean_text(raw: Any, limit: int) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValidationError(_("请输入文字。"))
    value = parsing.clean_text(str(raw)).strip()
    if len(value) > limit:
        raise ValidationError(_("最多 %(n)s 个字符。") % {"n": limit})
    return value


def _clean_number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValidationError(_("请输入数字。"))
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(_("请输入数字。")) from None
    if not value.is_finite() or abs(value) > NUMBER_MAX:
        raise ValidationError(_("请输入绝对值不超过 %(max)s 的数字。") % {"max": NUMBER_MAX})
    return value


def _clean_date(raw: Any) -> str:
    if isinstance(raw, dt.date):
        return parsing.check_date(raw).isoformat()
    return parsing.parse_date(raw).isoformat()


def _clean_link(
    kind: str, raw: Any, organization_id: int | None, checked: Mapping[str, Any]
) -> int:
    """An account/opportunity id (ASCII digits), checked by the owning app's
    registered check (unless the caller already checked it: ``checked``)."""
    if isinstance(raw, bool | float):
        raise ValidationError(_("请输入有效的编号。"))
    try:
        value = parsing.parse_id(raw)
    except ValidationError:
        raise ValidationError(_("请输入有效的编号。")) from None
    validator = link_checker(kind)
    if validator is not None and checked.get(f"{kind}_id") != value:
        validator(value, organization_id=organization_id)
    return value


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def validate_values(
    schema: Iterable[Mapping],
    values: Any,
    *,
    files: Mapping[str, Any] | None = None,
    organization_id: int | None = None,
    checked: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean ``values`` against ``schema``: (cleaned values, errors by key).

    Unknown keys are an error (a typo must not be silently dropped); empty
    optional fields are left out of the cleaned values. ``checked``: the
    link ids the caller has checked already, with its actor (``{"account_id":
    ..., "opportunity_id": ...}``); a link field holding one is not looked up
    again.
    """
    checked = checked or {}
    files = files or {}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        return {}, {"extra": [_("表单内容必须是对象。")]}
    schema = list(schema)
    known = {f["key"] for f in schema}
    for key in values:
        if key not in known:
            errors[str(key)] = [_("未知字段。")]
    for field in schema:
        key = field["key"]
        if field.get("type") == "file":
            if field.get("required") and not files.get(key):
                errors[key] = [_("请上传文件。")]
            continue
        raw = values.get(key)
        if _is_empty(raw):
            if field.get("required"):
                errors[key] = [_("此项为必填项。")]
            continue
        try:
            cleaned[key] = _clean_one(field, raw, organization_id, checked)
        except ValidationError as exc:
            errors[key] = list(exc.messages)
    return cleaned, errors


def link_ids(schema: Iterable[Mapping], cleaned: Mapping[str, Any]) -> dict[str, int | None]:
    """The first account/opportunity value, for the request's link (``catalog.links.link_save``)."""
    found: dict[str, int | None] = {"account_id": None, "opportunity_id": None}
    for field in schema:
        kind = field.get("type")
        if kind in LINK_TYPES and found[f"{kind}_id"] is None and field["key"] in cleaned:
            found[f"{kind}_id"] = cleaned[field["key"]]
    return found


# ---------------------------------------------------------------- Django forms


def _form_field(field: Mapping) -> forms.Field:
    common = {
        "label": label(field),
        "required": bool(field.get("required")),
        "help_text": help_text(field),
    }
    kind = field.get("type")
    if kind == "text":
        return forms.CharField(max_length=TEXT_MAX, **common)
    if kind == "long_text":
        return forms.CharField(
            max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind == "number":
        return forms.DecimalField(max_value=NUMBER_MAX, min_value=-NUMBER_MAX, **common)
    if kind == "money":
        return money.AmountFormField(**common)
    if kind == "date":
        return parsing.BoundedDateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        return forms.ChoiceField(choices=[("", "---------"), *choice_pairs(field)], **common)
    if kind == "file":
        return forms.FileField(**common)
    return parsing.IdFormField(**common)  # account / opportunity ids


def build_form_class(
    schema: Iterable[Mapping], *, organization_id: int | None = None
) -> type[forms.Form]:
    """A Django form for the schema whose ``clean()`` runs ``validate_values``,
    so the page and the API accept and refuse exactly the same input."""
    schema = list(schema)
    attrs: dict[str, Any] = {f["key"]: _form_field(f) for f in schema}
    for f in schema:
        if f.get("from_link"):  # the page fills and hides it once a customer/deal is linked
            attrs[f["key"]].widget.attrs["data-from-link"] = f["from_link"]
    value_keys = {f["key"] for f in schema} - set(file_keys(schema))

    def clean(self):
        data = super(form_class, self).clean()
        values = {k: v for k, v in data.items() if k in value_keys}
        files = {k: data.get(k) for k in file_keys(schema)}
        cleaned, errors = validate_values(
            schema,
            {k: v for k, v in values.items() if not _is_empty(v)},
            files=files,
            organization_id=organization_id,
        )
        for key, messages in errors.items():
            if key in self.fields and key not in self.errors:
                for message in messages:
                    self.add_error(key, message)
        self.extra_values = cleaned
        self.extra_files = {k: v for k, v in files.items() if v}
        return data

    attrs["clean"] = clean
    form_class = type("RequestExtraForm", (forms.Form,), attrs)
    return form_class
