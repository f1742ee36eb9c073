import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

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
        import holidays

        code = self.cleaned_data["country"].upper()
        if code not in holidays.list_supported_countries():
            raise forms.ValidationError(_("不支持的国家/地区代码：%(code)s") % {"code": code})
        return code


class DepartmentChoiceMixin:
    def limit_departments(self):
        # Scoped manager: only this organization's departments are offered,
        # and a foreign id in the POST fails validation like a missing one.
        self.fields["department"].queryset = Department.objects.all()
        self.fields["department"].label_from_instance = lambda d: d.name


class InviteForm(DepartmentChoiceMixin, forms.Form):
    email = forms.EmailField(label=_("邮箱"))
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
