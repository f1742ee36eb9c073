from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = _("销售赋能资料库")

    def ready(self) -> None:
        # What enablement plugs into the lower apps' registries: the request
        # page's panel (the asset that fulfils a content request), the
        # notification texts, the demo step and the navigation.
        from collab.navigation import NavEntry, nav_register
        from departments.registry import demo_steps
        from pipeline.panels import panel_register
        from requests_sla.notifications.texts import notification_text_register
        from requests_sla.requests.hooks import detail_panel_register

        from . import demo, permissions
        from .demo import programs as demo_programs
        from .library.services import version_published_hook_register
        from .usage import notices
        from .usage import views as usage_views
        from .usage.services import reps_notify_of_version

        notification_text_register(notices.ASSET_VERSION, notices.asset_version_text)
        notification_text_register(notices.ASSET_READY, notices.asset_ready_text)
        version_published_hook_register(reps_notify_of_version)
        detail_panel_register("enablement/_request_panel.html")
        panel_register("opportunity", usage_views.opportunity_panel, order=800)
        demo_steps.register(demo.load, order=500)
        demo_steps.register(demo_programs.load, order=510)
        nav_register(
            NavEntry(
                _("资料库"),
                "enablement:library",
                section="sales",
                order=50,
                capability=permissions.can_read_library,
                also_current=("enablement:asset", "enablement:asset_new", "enablement:fulfil"),
            ),
            NavEntry(
                pgettext_lazy("plural", "市场活动"),
                "enablement:campaigns",
                section="sales",
                order=51,
                capability=permissions.can_read_library,
                also_current=("enablement:campaign", "enablement:campaign_new"),
            ),
            NavEntry(
                _("培训课程"),
                "enablement:courses",
                section="sales",
                order=52,
                capability=permissions.can_read_library,
                also_current=("enablement:course", "enablement:course_new", "enablement:releases"),
            ),
            NavEntry(
                _("我的课程"),
                "enablement:my_courses",
                section="sales",
                order=53,
                capability=permissions.can_read_library,
                also_current=("enablement:course_check",),
            ),
            NavEntry(
                _("培训完成情况"),
                "enablement:training_overview",
                section="reports",
                order=52,
                capability=permissions.can_see_training_overview,
            ),
            NavEntry(
                _("市场活动报表"),
                "enablement:campaigns_report",
                section="reports",
                order=51,
                capability=permissions.can_read_library,
            ),
            NavEntry(
                _("资料效果报表"),
                "enablement:report",
                section="reports",
                order=50,
                capability=permissions.can_read_library,
            ),
        )
