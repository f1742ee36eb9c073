"""The funnel report: entries, conversion, median days in stage, the bottleneck and the forecast."""
