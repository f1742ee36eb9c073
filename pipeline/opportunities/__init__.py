"""Deals: stages, opportunities, their stage changes, and the lost-deal post-mortem hook."""
