"""The ops manager's SLA dashboard: rollups, figures, drill-downs, exports."""
