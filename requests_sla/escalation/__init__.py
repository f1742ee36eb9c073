"""The escalation sweep: claims due SLA timers and takes the ladder's rungs."""
