from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("财务")

    def ready(self) -> None:
        # What finance plugs into the lower apps' registries: the approvals
        # hooks that book an approved expense and reserve an approved sprint
        # budget, the account and deal pages' panels and the new deal/quote
        # forms' account flag, the campaign page's cost, the ops dashboard's collections panel, the
        # inbox text of a warning, demo data and navigation.
        from collab.navigation import NavEntry, nav_register
        from departments.registry import demo_steps, provisioning_steps
        from enablement.panels import panel_register as enablement_panel_register
        from pipeline.panels import panel_register
        from requests_sla.approvals.hooks import decided_hook_register
        from requests_sla.notifications.texts import notification_text_register
        from requests_sla.reporting.panels import dashboard_panel_register

        from . import permissions
        from .budgets.sprint_requests import sprint_reserve_on_approval
        from .demo import load as demo_load
        from .expenses.defaults import expense_categories_provision
        from .expenses.services import expense_book_on_approval
        from .risk.reasons import notification_text
        from .views import campaigns, collections, risk

        # A new organization can file expenses at once: the standard categories.
        provisioning_steps.register(expense_categories_provision, order=600)
        decided_hook_register(expense_book_on_approval)
        decided_hook_register(sprint_reserve_on_approval)
        panel_register("account", risk.account_panel, order=600)
        panel_register("opportunity", risk.opportunity_panel, order=600)
        panel_register("account_flags", risk.account_flag, order=600)
        enablement_panel_register("campaign", campaigns.campaign_panel, order=600)
        notification_text_register("payment_risk", notification_text)
        dashboard_panel_register("finance.collections", collections.dashboard_panel, 600)
        demo_steps.register(demo_load.load, order=600)
        nav_register(
            NavEntry(
                pgettext_lazy("plural", "预算"),
                "finance:budgets",
                section="work",
                order=60,
                capability=permissions.can_view_budgets,
            ),
            NavEntry(
                _("费用报销"),
                "finance:expenses",
                section="work",
                order=61,
                capability=permissions.can_file_expenses,
            ),
            NavEntry(
                _("回款分析"),
                "finance:collections",
                section="reports",
                order=60,
                capability=permissions.can_view_receivables,
            ),
            NavEntry(
                _("风险预警"),
                "finance:warnings",
                section="sales",
                order=60,
                capability=permissions.can_view_receivables,
            ),
            NavEntry(
                _("银行流水导入"),
                "finance:bank_import",
                section="work",
                order=62,
                capability=permissions.is_finance,
            ),
        )
