"""Demo data of requests_sla, loaded for the demo organizations (``load_demo``)."""
