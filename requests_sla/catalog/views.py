"""The catalog pages: request types by department, create, edit, (de)activate."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.errors import ServiceError
from requests_sla.catalog import selectors, services
from requests_sla.catalog.forms import RequestTypeForm
from requests_sla.catalog.models import Priority, RequestType


@membership_required("manage_catalog")
def catalog(request):
    types = selectors.request_types_all()
    groups: dict = {}
    for t in types:
        groups.setdefault(t.serving_department, []).append(t)
    return render(request, "requests_sla/catalog.html", {"groups": list(groups.items())})


@membership_required("manage_catalog")
def request_type_edit(request, pk: int | None = None):
    rtype = (
        get_object_or_404(RequestType.objects.select_related("serving_department"), pk=pk)
        if pk
        else None
    )
    if request.method == "POST":
        form = RequestTypeForm(request.POST)
        if form.is_valid():
            fields = form.service_fields()
            try:
                if rtype is None:
                    department = fields.pop("serving_department")
                    rtype = services.request_type_create(
                        actor=request.membership, serving_department=department, **fields
                    )
                else:
                    rtype = services.request_type_update(
                        request_type=rtype, actor=request.membership, **fields
                    )
            except ServiceError as exc:
                field = {"sla_targets": None}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, _("请求类型“%(name)s”已保存。") % {"name": rtype.name})
                return redirect("requests_sla:catalog")
    else:
        form = (
            RequestTypeForm(instance=rtype)
            if rtype
            else RequestTypeForm(
                initial={
                    "priorities": list(Priority.values),
                    "default_priority": Priority.NORMAL,
                    "is_active": True,
                    "form_schema": [],
                }
            )
        )
    return render(request, "requests_sla/type_form.html", {"form": form, "rtype": rtype})


@require_POST
@membership_required("manage_catalog")
def request_type_toggle(request, pk: int):
    rtype = get_object_or_404(RequestType.objects, pk=pk)
    try:
        rtype = services.request_type_update(
            request_type=rtype, actor=request.membership, is_active=not rtype.is_active
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已启用“%(name)s”。") % {"name": rtype.name}
            if rtype.is_active
            else _("已停用“%(name)s”。") % {"name": rtype.name},
        )
    return redirect("requests_sla:catalog")
