from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from collab.middleware import SESSION_KEY

from . import selectors, services
from .forms import InviteForm, MembershipForm, OrganizationSettingsForm
from .models import Membership
from .roles import Role

# Where each role starts, by URL name: the higher apps' pages are named, never
# imported (imports run pipeline → requests_sla → departments → collab). A name
# that does not resolve (the app is not installed) falls through to the next.
HOME_BY_ROLE = {
    Role.SALES_REP: ("requests_sla:mine",),
    Role.DEPT_MEMBER: ("requests_sla:queue",),
    Role.DEPT_HEAD: ("requests_sla:queue",),
    Role.OPS_MANAGER: ("dashboard:index",),
    Role.ORG_ADMIN: ("dashboard:index",),
}


def home_url(role: str) -> str:
    """The first page of ``role`` that exists; the directory, which every role has, last."""
    for name in HOME_BY_ROLE.get(role, ()):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("departments:directory")


@membership_required()
def home(request):
    """Reps land on their requests, department people on their queue, ops
    managers and admins on the SLA dashboard."""
    return redirect(home_url(request.membership.role))


@membership_required()
def directory(request):
    departments = selectors.department_directory()
    return render(request, "departments/directory.html", {"departments": departments})


@require_POST
@membership_required()
def switch_organization(request):
    wanted = request.POST.get("organization_id", "")
    match = next((m for m in request.memberships if str(m.organization_id) == wanted), None)
    if match is None:
        messages.error(request, _("你不是该企业的成员。"))
    else:
        request.session[SESSION_KEY] = match.organization_id
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("home")
    return redirect(target)


@membership_required("manage_organization")
def organization_settings(request):
    organization = request.organization
    settings_form = OrganizationSettingsForm(instance=organization)
    invite_form = InviteForm()
    if request.method == "POST" and request.POST.get("form") == "settings":
        settings_form = OrganizationSettingsForm(request.POST, instance=organization)
        if settings_form.is_valid():
            services.organization_update_settings(
                organization=organization, actor=request.user, **settings_form.cleaned_data
            )
            messages.success(request, _("企业设置已保存。"))
            return redirect("departments:settings")
    elif request.method == "POST" and request.POST.get("form") == "invite":
        invite_form = InviteForm(request.POST)
        if invite_form.is_valid():
            membership = services.member_invite(
                organization=organization,
                actor=request.user,
                request=request,
                **invite_form.cleaned_data,
            )
            messages.success(request, _("已邀请 %(email)s。") % {"email": membership.user.email})
            return redirect("departments:settings")
    members = selectors.organization_members()
    return render(
        request,
        "departments/settings.html",
        {
            "settings_form": settings_form,
            "invite_form": invite_form,
            "members": [
                (
                    m,
                    MembershipForm(
                        initial={"role": m.role, "department": m.department_id}, prefix=f"m{m.pk}"
                    ),
                )
                for m in members
            ],
        },
    )


@require_POST
@membership_required("manage_organization")
def membership_update(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    form = MembershipForm(request.POST, prefix=f"m{pk}")
    saved = False
    if form.is_valid():
        if membership.user_id == request.user.id and form.cleaned_data["role"] != membership.role:
            form.add_error("role", _("不能修改自己的角色，请让另一位管理员操作。"))
        else:
            membership = services.membership_set(
                organization=request.organization,
                user=membership.user,
                actor=request.user,
                **form.cleaned_data,
            )
            saved = True
    if not request.htmx:
        if saved:
            messages.success(request, _("成员已更新。"))
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("departments:settings")
    # htmx swaps only 2xx responses: errors come back inline in the row.
    return render(
        request,
        "departments/_member_row.html",
        {"member": membership, "form": form, "saved": saved},
    )
