"""Accounts, opportunities and customer-success leads (see issue 6)."""
