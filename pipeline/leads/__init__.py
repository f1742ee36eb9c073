"""Repeat-purchase and upsell leads from Customer Success, decided by the account's owner."""
