"""Collaboration requests and SLA timers (see issue 3)."""
