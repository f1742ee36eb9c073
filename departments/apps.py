from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("部门与企业")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (sign-in copies the stored choices)
