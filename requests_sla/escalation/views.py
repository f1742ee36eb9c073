"""The escalation settings page (organization admins): the ladder's policy and
the outgoing webhook, each written by its own service."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.decorators import membership_required
from collab.errors import ServiceError, apply_service_error
from requests_sla.escalation.forms import PolicyForm, WebhookForm
from requests_sla.notifications import services as notification_services
from requests_sla.notifications.models import WebhookEndpoint
from requests_sla.sla import services as sla_services


@membership_required("manage_organization")
def escalation_settings(request):
    policy = sla_services.escalation_policy_for(request.organization.id)
    endpoint = WebhookEndpoint.objects.first()
    policy_form = PolicyForm(instance=policy, prefix="p")
    webhook_form = WebhookForm(instance=endpoint, prefix="w")
    if request.method == "POST":
        policy_form = PolicyForm(request.POST, instance=policy, prefix="p")
        webhook_form = WebhookForm(request.POST, instance=endpoint, prefix="w")
        if policy_form.is_valid() and webhook_form.is_valid():
            try:
                with transaction.atomic():
                    sla_services.escalation_policy_update(
                        actor=request.membership, **policy_form.cleaned_data
                    )
                    notification_services.webhook_endpoint_set(
                        actor=request.membership, **webhook_form.cleaned_data
                    )
            except ServiceError as exc:  # e.g. the webhook's host now resolves inside
                apply_service_error(webhook_form, exc)
            else:
                messages.success(request, _("升级策略已保存。"))
                return redirect("escalation:settings")
    return render(
        request,
        "requests_sla/meetings/settings.html",
        {"policy_form": policy_form, "webhook_form": webhook_form},
        status=400 if (policy_form.errors or webhook_form.errors) else 200,
    )
