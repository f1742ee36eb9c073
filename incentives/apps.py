from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("激励")

    def ready(self) -> None:
        # Demo data; nothing below imports this app.
        from departments.registry import demo_steps

        from .demo import load as demo_load

        demo_steps.register(demo_load, order=700)
