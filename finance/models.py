"""Every model of finance, re-exported from its sub-domain."""

from finance.budgets.models import Budget, BudgetLine, LineKind, LineState
from finance.expenses.models import Expense, ExpenseCategory, ExpenseKind, ExpenseLine, ExpenseState
from finance.receivables.models import (
    BankImport,
    Invoice,
    Milestone,
    MilestoneKind,
    Payment,
    PaymentSource,
)
from finance.risk.models import RiskRun, RiskWarning, Rule, WarningState

__all__ = [
    "BankImport",
    "Budget",
    "BudgetLine",
    "Expense",
    "ExpenseCategory",
    "ExpenseKind",
    "ExpenseLine",
    "ExpenseState",
    "Invoice",
    "LineKind",
    "LineState",
    "Milestone",
    "MilestoneKind",
    "Payment",
    "PaymentSource",
    "RiskRun",
    "RiskWarning",
    "Rule",
    "WarningState",
]
