"""Customers (accounts) and their contacts."""
