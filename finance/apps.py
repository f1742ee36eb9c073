from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("财务")

    def ready(self) -> None:
        # What finance plugs into the lower apps' registries: the approvals
        # hook that books an approved expense, demo data, navigation.
        from requests_sla.approvals.hooks import approved_hook_register

        from .expenses.services import expense_book_on_approval

        approved_hook_register(expense_book_on_approval)
