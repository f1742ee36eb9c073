"""The request ↔ deal/account link: the checks and picker requests_sla calls through its registry, and the linked requests shown on deal and account pages."""
