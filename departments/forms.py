import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from collab.parsing import parse_country, validate_email_lengths

from .models import LANGUAGE_CHOICES, Department, Organization
from .roles import Role


def _timezone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OrganizationSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("时区"), choices=_timezone_choices)
    default_language = forms.ChoiceField(label=_("默认语言"), choices=LANGUAGE_CHOICES)

    class Meta:
        model = Organization
        fields = ["name", "timezone", "default_language", "country"]

    def clean_country(self):
        return parse_country(self.cleaned_data["country"])


class DepartmentChoiceMixin:
    def limit_departments(self):
        # Scoped manager: only this organization's departments are offered,
        # and a foreign id in the POST fails validation like a missing one.
        self.fields["department"].queryset = Department.objects.all()
        self.fields["department"].label_from_instance = lambda d: d.name


class InviteForm(DepartmentChoiceMixin, forms.Form):
    # 254: the longest address SMTP carries and the user table stores.
    email = forms.EmailField(
        label=_("邮箱"),
        max_length=254,
        validators=[validate_email_lengths],
        error_messages={
            "max_length": _("邮箱地址最多 %(limit_value)d 个字符（现为 %(show_value)d 个）。")
        },
    )
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_departments()


class MembershipForm(DepartmentChoiceMixin, forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_departments()


TOKEN_DAYS = [(30, _("30 天")), (90, _("90 天")), (180, _("180 天")), (365, _("365 天"))]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=100, help_text=_("用来认出这个令牌，例如“CRM 同步”。")
    )
    days = forms.TypedChoiceField(label=_("有效期"), choices=TOKEN_DAYS, coerce=int, initial=90)
