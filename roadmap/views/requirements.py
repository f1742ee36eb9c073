"""Pages of requirements: the list and its queues, filing (with similar
requirements suggested through htmx), the requirement page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from roadmap import forms, permissions, selectors
from roadmap.models import Requirement, State
from roadmap.services import assessments, prototypes, requirements
from roadmap.views.common import attempt


def _allowed(rule, membership) -> None:
    if not rule(membership):
        raise PermissionDenied


@membership_required()
def requirement_list(request):
    membership = request.membership
    default = "assess" if permissions.can_assess(membership) else "mine"
    queue = request.GET.get("queue", default)
    state = request.GET.get("state", "")
    rows = selectors.requirements_list(state=state, queue=queue, user_id=request.user.pk)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    selectors.with_revenue(list(page.object_list))
    return render(
        request,
        "roadmap/requirement_list.html",
        {
            "page": page,
            "queue": queue,
            "state": state,
            "states": State.choices,
            "can_submit": permissions.can_submit(membership),
        },
    )


@membership_required()
def requirement_new(request):
    membership = request.membership
    _allowed(permissions.can_submit, membership)
    form = forms.RequirementForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requirement = attempt(
            request,
            form,
            lambda: requirements.requirement_submit(
                actor=membership,
                title=data["title"],
                background=data["background"],
                pain_point=data["pain_point"],
                expected_outcome=data["expected_outcome"],
                impact=data["impact"],
                account_ids=[a.pk for a in data["account_ids"]],
                opportunity_ids=[o.pk for o in data["opportunity_ids"]],
            ),
        )
        if requirement is not None:
            messages.success(request, _("需求已提交，研发将在承诺时限内评估。"))
            return redirect("roadmap:requirement", pk=requirement.pk)
    return render(request, "roadmap/requirement_form.html", {"form": form})


@membership_required()
def requirement_similar(request):
    """The htmx panel under the filing form: requirements that look alike."""
    text = " ".join(request.GET.get(k, "")[:500] for k in ("title", "background", "pain_point"))
    found = selectors.similar_requirements(request.organization.pk, text)
    return render(request, "roadmap/_similar.html", {"similar": found})


@membership_required()
def requirement_detail(request, pk):
    membership = request.membership
    requirement = get_object_or_404(
        Requirement.objects.select_related(
            "submitted_by", "assessed_by", "release", "merged_into", "assessment_request"
        ),
        pk=pk,
    )
    context = selectors.requirement_page(requirement)
    can_assess = permissions.can_assess(membership)
    context.update(
        requirement=requirement,
        can_assess=can_assess,
        can_submit=permissions.can_submit(membership),
        assess_form=forms.AssessmentForm() if can_assess else None,
        merge_form=forms.MergeForm() if can_assess else None,
        back_form=forms.BackForm(membership=membership)
        if permissions.can_submit(membership)
        else None,
        prototype_form=forms.PrototypeForm(accounts=_validation_accounts(context))
        if can_assess and requirement.state == State.PROTOTYPE
        else None,
    )
    context.update(request.forms_override if hasattr(request, "forms_override") else {})
    return render(request, "roadmap/requirement_detail.html", context)


def _validation_accounts(context):
    from pipeline.accounts.models import Account

    return Account.objects.filter(pk__in={b.account_id for b in context["backers"]})


def _rerender(request, pk, **forms_override):
    """The page again with the failing form (status 400: what was typed is kept)."""
    request.forms_override = forms_override
    response = requirement_detail(request, pk)
    response.status_code = 400
    return response


def _requirement(pk):
    return get_object_or_404(Requirement, pk=pk)


@require_POST
@membership_required()
def requirement_back(request, pk):
    membership = request.membership
    requirement = _requirement(pk)
    form = forms.BackForm(request.POST, membership=membership)
    if form.is_valid():
        data = form.cleaned_data
        added = attempt(
            request,
            form,
            lambda: requirements.requirement_back(
                actor=membership,
                requirement=requirement,
                account_ids=[a.pk for a in data["account_ids"]],
                opportunity_ids=[o.pk for o in data["opportunity_ids"]],
                needed_for_renewal=data["needed_for_renewal"],
            ),
        )
        if added is not None:
            messages.success(request, _("已添加支持方。"))
            return redirect("roadmap:requirement", pk=pk)
    return _rerender(request, pk, back_form=form)


@require_POST
@membership_required()
def requirement_assess_start(request, pk):
    requirement = _requirement(pk)
    if attempt(
        request,
        None,
        lambda: assessments.assessment_start(actor=request.membership, requirement=requirement),
    ):
        messages.success(request, _("已开始评估。"))
    return redirect("roadmap:requirement", pk=pk)


@require_POST
@membership_required()
def requirement_assess(request, pk):
    requirement = _requirement(pk)
    form = forms.AssessmentForm(request.POST)
    if form.is_valid():
        done = attempt(
            request,
            form,
            lambda: assessments.assessment_record(
                actor=request.membership, requirement=requirement, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("评估已记录，需求进入待评审。"))
            return redirect("roadmap:requirement", pk=pk)
    return _rerender(request, pk, assess_form=form)


@require_POST
@membership_required()
def requirement_merge(request, pk):
    duplicate = _requirement(pk)
    form = forms.MergeForm(request.POST)
    if form.is_valid():
        into = Requirement.objects.filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", _("需求不存在。"))
        else:
            merged = attempt(
                request,
                form,
                lambda: requirements.requirement_merge(
                    actor=request.membership, duplicate=duplicate, into=into
                ),
            )
            if merged is not None:
                messages.success(request, _("已合并，支持方已全部转入。"))
                return redirect("roadmap:requirement", pk=into.pk)
    return _rerender(request, pk, merge_form=form)


@require_POST
@membership_required()
def requirement_prototype(request, pk):
    requirement = _requirement(pk)
    context = selectors.requirement_page(requirement)
    form = forms.PrototypeForm(request.POST, accounts=_validation_accounts(context))
    if form.is_valid():
        data = form.cleaned_data
        made = attempt(
            request,
            form,
            lambda: prototypes.prototype_start(
                actor=request.membership,
                requirement=requirement,
                link=data["link"],
                description=data["description"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                customers=[(a.pk, None) for a in data["accounts"]],
            ),
        )
        if made is not None:
            messages.success(request, _("原型已交付，开始客户验证。"))
            return redirect("roadmap:requirement", pk=pk)
    return _rerender(request, pk, prototype_form=form)


@require_POST
@membership_required()
def requirement_verdict(request, pk):
    from roadmap.models import Prototype

    prototype = get_object_or_404(Prototype, requirement_id=pk)
    form = forms.VerdictForm(request.POST)
    if form.is_valid() and attempt(
        request,
        form,
        lambda: prototypes.verdict_record(
            actor=request.membership, prototype=prototype, **form.cleaned_data
        ),
    ):
        messages.success(request, _("验证结论已记录。"))
        return redirect("roadmap:requirement", pk=pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("roadmap:requirement", pk=pk)
