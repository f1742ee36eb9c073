"""Finance's pages (namespace ``finance``)."""

from django.urls import path

from finance.views import budgets, collections, expenses, receivables, risk

app_name = "finance"

urlpatterns = [
    path("", budgets.budgets, name="budgets"),
    path("budgets/set/", budgets.budget_set, name="budget_set"),
    path("budgets/reserve/", budgets.reservation_add, name="reservation_add"),
    path("reservations/<int:pk>/release/", budgets.reservation_release, name="reservation_release"),
    path("expenses/", expenses.expenses, name="expenses"),
    path("expenses/new/", expenses.expense_new, name="expense_new"),
    path("expenses/pay/", expenses.expenses_pay, name="expenses_pay"),
    path("collections/", collections.collections, name="collections"),
    path("collections/panel/", collections.collections_panel, name="collections_panel"),
    path("opportunities/<int:pk>/", receivables.deal_receivables, name="deal"),
    path("opportunities/<int:pk>/plan/", receivables.plan_save, name="plan_save"),
    path("opportunities/<int:pk>/invoices/", receivables.invoice_add, name="invoice_add"),
    path("payments/add/", receivables.payment_add, name="payment_add"),
    path("payments/<int:pk>/match/", receivables.payment_match, name="payment_match"),
    path("bank-import/", receivables.bank_import_page, name="bank_import"),
    path("warnings/", risk.warnings, name="warnings"),
    path("warnings/<int:pk>/act/", risk.warning_act, name="warning_act"),
]
