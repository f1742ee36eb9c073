"""The library's forms: an asset's description and a version's content.
Talk-track sections are typed one per line ("问题 | 回答" for objections);
tags comma-separated. The services check everything again."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enablement.library.models import AssetKind, CustomerSize
from enablement.library.services import AssetFields, VersionContent
from pipeline.models import Industry, Stage

_SPLIT = re.compile(r"[,，、;；]")
_PAIR = re.compile(r"\s*[|｜]\s*")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def _tags(value: str) -> list[str]:
    return [t.strip() for t in _SPLIT.split(value or "") if t.strip()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _pairs(value: str) -> list[dict[str, str]]:
    out = []
    for line in _lines(value):
        parts = _PAIR.split(line, maxsplit=1)
        out.append({"q": parts[0], "a": parts[1] if len(parts) > 1 else ""})
    return out


class VersionForm(forms.Form):
    body = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("纯文本，按原样显示（不支持 HTML）。"),
    )
    objections = forms.CharField(
        label=_("异议与回答"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("话术工具包：每行一条，格式“客户异议 | 建议回答”。"),
    )
    key_messages = forms.CharField(
        label=_("关键信息"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条。"),
    )
    proof_points = forms.CharField(
        label=_("证明材料"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条：客户案例、认证、数据。"),
    )
    files = MultipleFileField(label=pgettext_lazy("plural", "文件"), required=False)

    def content(self, *, change_note: str = "") -> VersionContent:
        data = self.cleaned_data
        return VersionContent(
            body=data.get("body", ""),
            sections={
                "objections": _pairs(data.get("objections", "")),
                "key_messages": _lines(data.get("key_messages", "")),
                "proof_points": _lines(data.get("proof_points", "")),
            },
            change_note=change_note,
            files=data.get("files") or [],
        )

    @staticmethod
    def initial_from(version) -> dict[str, str]:
        sections = version.sections or {}
        return {
            "body": version.body,
            "objections": "\n".join(f"{p['q']} | {p['a']}" for p in sections.get("objections", [])),
            "key_messages": "\n".join(sections.get("key_messages", [])),
            "proof_points": "\n".join(sections.get("proof_points", [])),
        }


class NewVersionForm(VersionForm):
    change_note = forms.CharField(
        label=_("更新说明"), max_length=500, help_text=_("这一版改了什么。")
    )
    field_order = ["change_note", "body", "objections", "key_messages", "proof_points", "files"]

    def content(self, *, change_note: str = "") -> VersionContent:
        return super().content(change_note=self.cleaned_data["change_note"])


class AssetForm(VersionForm):
    kind = forms.ChoiceField(label=_("类型"), choices=AssetKind.choices)
    title_zh = forms.CharField(label=_("中文标题"), max_length=200)
    title_en = forms.CharField(label=_("英文标题"), max_length=200, required=False)
    summary_zh = forms.CharField(
        label=_("中文摘要"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary_en = forms.CharField(
        label=_("英文摘要"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    industry = forms.ChoiceField(
        label=_("行业"), required=False, choices=[("", _("不限"))] + list(Industry.choices)
    )
    stages = forms.MultipleChoiceField(
        label=_("销售阶段"), required=False, widget=forms.CheckboxSelectMultiple
    )
    pain_points = forms.CharField(
        label=_("痛点"), required=False, help_text=_("用逗号分隔，例如：数据安全，部署方式")
    )
    products = forms.CharField(
        label=pgettext_lazy("plural", "产品"), required=False, help_text=_("用逗号分隔。")
    )
    customer_size = forms.ChoiceField(
        label=_("客户规模"), required=False, choices=CustomerSize.choices
    )
    publish = forms.BooleanField(label=_("立即发布（否则保存为草稿）"), required=False)
    field_order = [
        "kind",
        "title_zh",
        "title_en",
        "summary_zh",
        "summary_en",
        "industry",
        "stages",
        "pain_points",
        "products",
        "customer_size",
    ]

    def __init__(self, *args, with_publish: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stages"].choices = [
            (s.code, s.name) for s in Stage.objects.filter(is_won=False, is_lost=False)
        ]
        if not with_publish:
            del self.fields["publish"]

    def asset_fields(self) -> AssetFields:
        data = self.cleaned_data
        return AssetFields(
            kind=data["kind"],
            title_zh=data["title_zh"],
            title_en=data.get("title_en", ""),
            summary_zh=data.get("summary_zh", ""),
            summary_en=data.get("summary_en", ""),
            industry=data.get("industry", ""),
            stages=data.get("stages") or [],
            pain_points=_tags(data.get("pain_points", "")),
            products=_tags(data.get("products", "")),
            customer_size=data.get("customer_size", ""),
        )
