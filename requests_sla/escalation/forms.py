"""The escalation settings form: the ladder's policy and the organization's webhook."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from collab import outbound
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


# Bounds the ladder can honour (the same ones as SLA targets: at most 1,000
# working days, 10,000 hours); the model alone would allow 32,767.
POLICY_BOUNDS = {
    "meeting_window_days": (0, 1_000),
    "meeting_duration_minutes": (1, 24 * 60),
    "follow_up_hours": (1, 10_000),
}
for _name, (_low, _high) in POLICY_BOUNDS.items():
    _field = PolicyForm.base_fields[_name]
    _field.min_value, _field.max_value = _low, _high
    _field.validators += [MinValueValidator(_low), MaxValueValidator(_high)]
    _field.widget.attrs.update(min=_low, max=_high)


class WebhookForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "format", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].required = False

    def clean_url(self):
        """The address must reach a public host (``collab.outbound``, SSRF)."""
        url = self.cleaned_data.get("url") or ""
        if url:
            try:
                outbound.check_url(url)
            except outbound.UnsafeDestination as exc:
                raise forms.ValidationError(exc.message, code="unsafe_url") from None
        return url
