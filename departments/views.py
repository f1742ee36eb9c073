from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from collab import tenancy
from collab.decorators import membership_required
from collab.errors import ServiceError
from collab.middleware import LANGUAGE_SESSION_KEY, SESSION_KEY

from . import selectors, services
from .forms import ApiTokenForm, InviteForm, MembershipForm, OrganizationSettingsForm
from .models import ApiToken, Invitation, Membership
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
        # An explicit choice: this session works there, and so does every
        # later sign-in, on any device.
        request.session[SESSION_KEY] = match.organization_id
        services.profile_set_default_organization(
            user=request.user, organization=match.organization
        )
    return redirect(_safe_next(request))


def _safe_next(request) -> str:
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    return target


def set_language(request):
    """Django's language switcher, plus: a signed-in user's choice is stored
    on their profile (and in the session), so it applies at every sign-in
    and on every page, on any device."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language:
        try:
            services.profile_set_language(user=request.user, language=language)
        except ServiceError:
            return response  # Django's view ignored it too
        request.session[LANGUAGE_SESSION_KEY] = language
    return response


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
            try:
                outcome = services.member_invite(
                    organization=organization,
                    actor=request.user,
                    request=request,
                    **invite_form.cleaned_data,
                )
            except ServiceError as exc:
                invite_form.add_error(
                    exc.field if exc.field in invite_form.fields else None, exc.message
                )
            else:
                email = invite_form.cleaned_data["email"].strip().lower()
                if outcome.invitation is not None:
                    messages.success(
                        request,
                        _("已向 %(email)s 发出邀请；对方登录并接受后才会加入本企业。")
                        % {"email": email},
                    )
                else:
                    messages.success(
                        request,
                        _("已为 %(email)s 创建账号，并发送了设置密码的邮件。") % {"email": email},
                    )
                return redirect("departments:settings")
    members = selectors.organization_members()
    return render(
        request,
        "departments/settings.html",
        {
            "settings_form": settings_form,
            "invite_form": invite_form,
            "invitations": selectors.organization_invitations(),
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
def invitation_revoke(request, pk: int):
    # Scoped manager: another organization's invitation id is a 404.
    invitation = get_object_or_404(Invitation.objects, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回给 %(email)s 的邀请。") % {"email": invitation.email})
    return redirect("departments:settings")


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


# --- the signed-in person's own pages (no membership needed) -----------------


@login_required
def my_invitations(request):
    """Invitations waiting for the signed-in person, from any organization."""
    return render(
        request,
        "departments/invitations.html",
        {"invitations": selectors.invitations_for_user(request.user)},  # a list: see there
    )


@login_required
def invitation_open(request, token: str):
    """The email's link: the invitation, if it is addressed to whoever is signed in."""
    invitation = services.invitation_by_token(token=token, user=request.user)
    if invitation is None:
        raise Http404
    return redirect(f"{reverse('departments:invitations')}#invitation-{invitation.pk}")


def _own_invitation(request, pk: int) -> Invitation:
    # Invitations come from other organizations by nature: the rule is that
    # it is addressed to you; anyone else's id is a 404 like a missing one.
    with tenancy.dangerously_unscoped("an invitation, read by its invitee"):
        invitation = Invitation.unscoped.filter(pk=pk, invitee=request.user).first()
    if invitation is None:
        raise Http404
    return invitation


@require_POST
@login_required
def invitation_accept(request, pk: int):
    invitation = _own_invitation(request, pk)
    try:
        membership = services.invitation_accept(invitation=invitation, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("你已加入 %(organization)s。可在页面顶部的企业切换中进入。")
            % {"organization": membership.organization.name},
        )
    return redirect("departments:invitations")


@require_POST
@login_required
def invitation_decline(request, pk: int):
    invitation = _own_invitation(request, pk)
    try:
        services.invitation_decline(invitation=invitation, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已谢绝 %(organization)s 的邀请。") % {"organization": invitation.organization.name},
        )
    return redirect("departments:invitations")


@never_cache
@login_required
def account(request):
    """The person's API tokens: create (the key is shown once, here), list, revoke."""
    form = ApiTokenForm()
    created = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = services.api_token_create(user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                created = {
                    "token": token,
                    "key": key,
                    "header": f"Authorization: Token {key}",
                    "organization_header": "X-Organization: <slug>",
                }
                form = ApiTokenForm()
    return render(
        request,
        "departments/account.html",
        {"form": form, "created": created, "tokens": selectors.api_tokens_of(request.user)},
    )


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("departments:account")
