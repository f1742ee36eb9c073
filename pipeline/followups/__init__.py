"""Customer Success follow-ups: visits, calls and surveys with satisfaction."""
