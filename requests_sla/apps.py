from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsSlaConfig(AppConfig):
    name = "requests_sla"
    verbose_name = _("协作请求与SLA")
