"""Finance's API routes, included under /api/ by collab/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from finance import apis

router = SimpleRouter()
router.include_format_suffixes = False
router.register("finance/budgets", apis.BudgetViewSet, basename="finance-budget")
router.register("finance/expenses", apis.ExpenseViewSet, basename="finance-expense")
router.register("finance/invoices", apis.InvoiceViewSet, basename="finance-invoice")
router.register("finance/payments", apis.PaymentViewSet, basename="finance-payment")
router.register("finance/warnings", apis.WarningViewSet, basename="finance-warning")

urlpatterns = [
    path("finance/payment-plans/", apis.PaymentPlanView.as_view(), name="api-finance-plan"),
    path("finance/bank-imports/", apis.BankImportView.as_view(), name="api-finance-bank-import"),
    path("finance/collections/", apis.CollectionsView.as_view(), name="api-finance-collections"),
    path(
        "finance/campaigns/<int:pk>/cost/",
        apis.CampaignCostView.as_view(),
        name="api-finance-campaign-cost",
    ),
    path("", include(router.urls)),
]
