"""HTML forms. The request type's own fields come from ``forms_schema`` (its
``clean()`` runs the same validation as the API); business rules stay in the
services, whose ``ServiceError`` the views turn into field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from requests_sla.catalog.form_schema import TIMER_UNITS, build_form_class
from requests_sla.catalog.forms import UNIT_CHOICES
from requests_sla.catalog.links import LINK_TYPES, parse_link
from requests_sla.catalog.models import Priority, RequestType

assert {u for u, _label in UNIT_CHOICES} == set(TIMER_UNITS)


# ---------------------------------------------------------------- filing


class RequestForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(
        label=_("描述"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(label=_("优先级"))
    # The customer or deal the request is for: "account:12" / "opportunity:34",
    # chosen with the pipeline's search-as-you-type picker.
    link = forms.CharField(label=_("客户/商机"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, request_type: RequestType, ask_description: bool = True, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("priority", request_type.default_priority)
        super().__init__(*args, **kwargs)
        if not ask_description:
            # The type's own field is the description: one question, not two.
            del self.fields["description"]
        self.fields["priority"].choices = [
            (p, Priority(p).label) for p in Priority.values if p in (request_type.priorities or [])
        ]
        self.fields["title"].widget.attrs["placeholder"] = _("一句话说明需要什么")

    def clean_link(self) -> str:
        value = (self.cleaned_data.get("link") or "").strip()
        if value and parse_link(value) is None:
            raise forms.ValidationError(_("请从搜索结果中选择客户或商机。"))
        return value

    def link_ids(self) -> dict[str, int | None]:
        """``account_id``/``opportunity_id`` for ``services.request_file``."""
        parsed = parse_link(self.cleaned_data.get("link") or "")
        ids: dict[str, int | None] = {"account_id": None, "opportunity_id": None}
        if parsed:
            ids[f"{parsed[0]}_id"] = parsed[1]
        return ids


def extra_form(request_type: RequestType, *args, without_links: bool = False, **kwargs):
    """The type's own fields (prefix ``x``), validated by ``forms_schema``.
    ``without_links`` leaves out account/opportunity fields (the page's one
    "customer / deal" field fills them)."""
    schema = request_type.form_schema or []
    if without_links:
        schema = [f for f in schema if f.get("type") not in LINK_TYPES]
    form_class = build_form_class(schema, organization_id=request_type.organization_id)
    return form_class(*args, prefix="x", **kwargs)


# ---------------------------------------------------------------- request actions


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=2000)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("评论"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_internal = forms.BooleanField(label=_("内部备注（提交人看不到）"), required=False)

    def __init__(self, *args, allow_internal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_internal:
            del self.fields["is_internal"]
        self.fields["body"].widget.attrs["placeholder"] = _("写下进展或问题，用 @用户名 提及同事")


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("上传附件"))


# ---------------------------------------------------------------- catalog


# ---------------------------------------------------------------- calendar
