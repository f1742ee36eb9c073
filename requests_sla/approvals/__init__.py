"""Approval chains: a capability of the request engine (see models.py)."""
