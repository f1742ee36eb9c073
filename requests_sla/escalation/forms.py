"""The escalation settings form: the ladder's policy and the organization's webhook."""

from __future__ import annotations

from django import forms

from requests_sla.notifications.models import WebhookEndpoint
from requests_sla.sla.models import EscalationPolicy


class PolicyForm(forms.ModelForm):
    class Meta:
        model = EscalationPolicy
        fields = [
            "notify_at_risk",
            "meeting_window_days",
            "meeting_time",
            "meeting_duration_minutes",
            "follow_up_hours",
            "raise_priority",
            "email_off_hours",
        ]
        widgets = {"meeting_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class WebhookForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "format", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].required = False
