from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("部门与企业")

    def ready(self) -> None:
        # What departments plugs into collab, and its own first steps of the
        # registries higher apps fill (see departments/registry.py).
        from collab import rls
        from collab.navigation import NavEntry, nav_register
        from collab.registry import memberships_of_user_register

        from . import (
            demo,
            selectors,
            services,
            signals,  # noqa: F401  (sign-in copies the stored choices)
        )
        from .registry import demo_steps, provisioning_steps

        # Row-level security: policies after every migrate, the tenancy scope
        # sent with every statement (collab/rls.py).
        rls.install()
        memberships_of_user_register(selectors.memberships_of_user)
        provisioning_steps.register(services.departments_provision, order=100)
        demo_steps.register(demo.load, order=100)
        nav_register(
            NavEntry(_("部门目录"), "departments:directory", section="work", order=90),
            NavEntry(
                _("企业设置"),
                "departments:settings",
                section="admin",
                order=30,
                capability="manage_organization",
            ),
        )
