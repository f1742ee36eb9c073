"""Demo data of the customer side, loaded for the demo organizations (``load_demo``)."""
