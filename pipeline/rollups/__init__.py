"""The funnel's rollup tables and their upkeep: written by the account and deal services in their own transaction (so below them), read by the funnel report."""
