"""The roadmap page: releases and their requirements, "my customers'
requirements", the loop's figures; creating, developing and shipping."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collab.decorators import membership_required
from roadmap import forms, permissions, selectors
from roadmap.metrics import loop_metrics_cached
from roadmap.models import Release, Requirement, State
from roadmap.services import releases
from roadmap.views.common import attempt

RELEASES_SHOWN = 12


def roadmap_context(request, release_form=None):
    membership = request.membership
    shown = Release.objects.order_by("-planned_on", "-id")[:RELEASES_SHOWN]
    release_list = list(
        Release.objects.filter(pk__in=[r.pk for r in shown])
        .order_by("-planned_on", "-id")
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=Requirement.objects.exclude(state=State.MERGED).order_by("priority", "id"),
            )
        )
    )
    mine = list(
        selectors.requirements_of_customers(request.user.pk)
        .select_related("release")
        .order_by("-submitted_at")[:20]
    )
    return {
        "releases": release_list,
        "mine": mine,
        "metrics": loop_metrics_cached(request.organization.pk),
        "can_manage": permissions.can_manage_releases(membership),
        "release_form": release_form or forms.ReleaseForm(),
        "accepted": Requirement.objects.filter(state=State.ACCEPTED, release__isnull=True)[:50]
        if permissions.can_manage_releases(membership)
        else [],
    }


@membership_required()
def roadmap_page(request):
    return render(request, "roadmap/roadmap.html", roadmap_context(request))


@require_POST
@membership_required()
def release_create(request):
    form = forms.ReleaseForm(request.POST)
    if form.is_valid() and attempt(
        request,
        form,
        lambda: releases.release_create(actor=request.membership, **form.cleaned_data),
    ):
        messages.success(request, _("版本已创建。"))
        return redirect("roadmap:roadmap")
    return render(request, "roadmap/roadmap.html", roadmap_context(request, form), status=400)


@require_POST
@membership_required()
def release_ship(request, pk):
    release = get_object_or_404(Release, pk=pk)
    shipped = attempt(
        request, None, lambda: releases.release_ship(actor=request.membership, release=release)
    )
    if shipped is not None:
        messages.success(
            request,
            _("%(version)s 已上线，已通知支持方并在商机上留下动态。")
            % {"version": release.version},
        )
    return redirect("roadmap:roadmap")


@require_POST
@membership_required()
def requirement_develop(request, pk):
    requirement = get_object_or_404(Requirement, pk=pk)
    form = forms.DevelopForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择版本。"))
    elif attempt(
        request,
        None,
        lambda: releases.requirement_develop(
            actor=request.membership, requirement=requirement, release=form.cleaned_data["release"]
        ),
    ):
        messages.success(request, _("需求已进入开发。"))
    return redirect("roadmap:requirement", pk=pk)
