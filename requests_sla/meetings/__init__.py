"""Review meetings: agenda, action items, lost-deal post-mortems and department KPIs."""
