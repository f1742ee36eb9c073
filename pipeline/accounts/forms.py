"""Forms: parse and validate input; every queryset is the scoped one, so a
foreign id fails validation exactly like a missing one."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pipeline.accounts import selectors
from pipeline.accounts.models import AccountSize, Industry

User = get_user_model()


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AccountForm(forms.Form):
    name = forms.CharField(label=_("客户名称"), max_length=200)
    industry = forms.ChoiceField(label=_("行业"), choices=Industry.choices)
    size = forms.ChoiceField(label=_("规模"), choices=AccountSize.choices)
    is_key_account = forms.BooleanField(label=_("重点客户"), required=False)
    owner = PersonChoice(label=_("负责销售"), queryset=User.objects.none())

    def __init__(self, *args, can_assign: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if can_assign:
            self.fields["owner"].queryset = selectors.seller_users()
        else:
            del self.fields["owner"]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    title = forms.CharField(label=_("职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("电话"), max_length=40, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
